package org.mecam.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the kit's registries ({@link FusionKind}, {@link DatasetFormat}, {@link MethodKind}) share:
 * loading the implementations a services file names, in its order, and finding one by the key
 * users write.
 */
final class Registries {

    private Registries() {}

    /** @return the implementations of {@code type} found on the class path, in registration order */
    static <T> List<T> load(Class<T> type) {
        List<T> found = new ArrayList<>();
        ServiceLoader.load(type, type.getClassLoader()).forEach(found::add);
        return Collections.unmodifiableList(found);
    }

    /**
     * @param field the configuration key, named in the message
     * @return the entry of {@code all} whose key is {@code value}
     * @throws ConfigException naming the known keys when there is none
     */
    static <T> T of(List<T> all, Function<T, String> key, String field, String value) {
        for (T t : all) {
            if (key.apply(t).equals(value)) {
                return t;
            }
        }
        throw new ConfigException(field + ": unknown value '" + value + "' (expected one of " + keys(all, key) + ")");
    }

    /** @return the keys of {@code all}, comma separated */
    static <T> String keys(List<T> all, Function<T, String> key) {
        return all.stream().map(key).collect(Collectors.joining(", "));
    }
}
