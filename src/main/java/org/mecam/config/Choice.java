package org.mecam.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A configuration value from a fixed set (an enum), written as a lower-case key derived from the
 * constant's name: {@code TEST_LEAKY} is {@code test-leaky}. Enums implement it and override
 * {@code toString()} to return {@link #key()}.
 */
public interface Choice {

    /** @return the enum constant's name */
    String name();

    /** @return the key users write: the constant's name in lower case, '_' written as '-' */
    default String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Looks a key up among an enum's constants.
     *
     * @throws ConfigException naming the option and the allowed keys when there is no match
     */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String option, String key) {
        for (E e : type.getEnumConstants()) {
            if (e.key().equals(key)) {
                return e;
            }
        }
        throw new ConfigException(
                option + ": unknown value '" + key + "' (expected one of " + keys(type) + ")");
    }

    /** @return the allowed keys, comma separated */
    static <E extends Enum<E> & Choice> String keys(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Choice::key).collect(Collectors.joining(", "));
    }
}
