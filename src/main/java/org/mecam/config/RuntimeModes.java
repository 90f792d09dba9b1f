package org.mecam.config;

import java.util.List;

/**
 * The shared parts of the runtime choice keys ({@code mklKernels}, {@code dropoutMasks}, {@code
 * attentionKernel}, {@code lstmKernel}): a default an environment variable can set, and one
 * error line for a value outside the key's choices.
 */
public final class RuntimeModes {

    private RuntimeModes() {}

    /** @return the variable {@code env} as given (trimmed; validation names a bad one), else {@code fallback} */
    public static String envDefault(String env, String fallback) {
        String v = System.getenv(env);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** @return {@code mode}, when it is one of {@code modes} */
    public static String check(String mode, List<String> modes, String where) {
        if (!modes.contains(mode)) {
            throw new ConfigException(notOneOf(where, modes, mode));
        }
        return mode;
    }

    /** @return the error line: {@code where: must be one of a, b, got 'value'} */
    static String notOneOf(String where, List<String> modes, String value) {
        return where + ": must be one of " + String.join(", ", modes) + ", got '" + value + "'";
    }
}
