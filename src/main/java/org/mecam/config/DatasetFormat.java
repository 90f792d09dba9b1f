package org.mecam.config;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * A dataset format as the configuration sees it: the key users write ({@code dataset}), what it
 * is, and the files it needs. The readers themselves are in {@code org.mecam.data}
 * ({@code DatasetSource}) and are registered in
 * {@code META-INF/services/org.mecam.config.DatasetFormat}, one class name per line; loading and
 * {@code data inspect} both go through that registry. Adding a format touches three files: its
 * class, that line, a test.
 */
public interface DatasetFormat {

    /** @return the key users write, e.g. {@code mmsa} */
    String key();

    /** @return one line for help texts */
    String description();

    /** @return what in {@code c} this format lacks (a missing --path, say), one message each */
    default List<String> check(RunConfig c) {
        return List.of();
    }

    /** @return a short name of the data in run ids: the format and the file's name without extension */
    default String label(RunConfig c) {
        return key() + "-" + Paths.get(c.path).getFileName().toString().replaceAll("\\.[^.]*$", "");
    }

    /** @return every registered format, in registration order */
    static List<DatasetFormat> all() {
        return Registry.ALL;
    }

    /**
     * @return the format of {@code key}
     * @throws ConfigException naming the known keys when there is none
     */
    static DatasetFormat of(String key) {
        for (DatasetFormat f : all()) {
            if (f.key().equals(key)) {
                return f;
            }
        }
        throw new ConfigException("dataset: unknown value '" + key + "' (expected one of " + keys() + ")");
    }

    /** @return the known keys, comma separated */
    static String keys() {
        return all().stream().map(DatasetFormat::key).collect(Collectors.joining(", "));
    }

    /** The formats found on the class path, loaded once. */
    final class Registry {
        static final List<DatasetFormat> ALL;

        static {
            List<DatasetFormat> found = new ArrayList<>();
            ServiceLoader.load(DatasetFormat.class, DatasetFormat.class.getClassLoader()).forEach(found::add);
            ALL = Collections.unmodifiableList(found);
        }

        private Registry() {}
    }
}
