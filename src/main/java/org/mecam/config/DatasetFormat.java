package org.mecam.config;

import java.nio.file.Paths;
import java.util.List;

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
        return Registries.of(all(), DatasetFormat::key, "dataset", key);
    }

    /** @return the known keys, comma separated */
    static String keys() {
        return Registries.keys(all(), DatasetFormat::key);
    }

    /** The formats found on the class path, loaded once. */
    final class Registry {
        static final List<DatasetFormat> ALL = Registries.load(DatasetFormat.class);

        private Registry() {}
    }
}
