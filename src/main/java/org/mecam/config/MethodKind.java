package org.mecam.config;

import java.util.List;

/**
 * A learner as the configuration sees it: the key users write ({@code method}), what it is, and
 * the constraints it puts on the rest of the configuration. The learners themselves (how they
 * fit and predict) are in {@code org.mecam.experiment.method} and are registered in {@code
 * META-INF/services/org.mecam.config.MethodKind}, one class name per line, in the order help
 * texts list them. Adding a method touches three files: its class, that line, a test.
 */
public interface MethodKind {

    /** @return the key users write, e.g. {@code tribuo-linear} */
    String key();

    /** @return one line for help texts */
    String description();

    /**
     * @return whether the method trains the neural model of docs/METHOD.md (epochs, a checkpoint,
     *     diagnostics, representation probes; such runs can be reused by other grids)
     */
    default boolean trainsNeuralModel() {
        return false;
    }

    /**
     * @return resident memory of one run per MiB of the dataset's float arrays (the dataset, its
     *     batches or pooled copies, the model), which sizes grid workers (calibrated in
     *     docs/bench/load-2core.json and the shipped runs' {@code rss_mb})
     */
    default double residentPerDataMb() {
        return 4.5;
    }

    /** @return what in {@code c} does not suit this method, one message each (empty when it does) */
    default List<String> check(RunConfig c) {
        return List.of();
    }

    /** @return every registered method, in registration order */
    static List<MethodKind> all() {
        return Registry.ALL;
    }

    /**
     * @return the method of {@code key}
     * @throws ConfigException naming the known keys when there is none
     */
    static MethodKind of(String key) {
        return Registries.of(all(), MethodKind::key, "method", key);
    }

    /** @return the known keys, comma separated */
    static String keys() {
        return Registries.keys(all(), MethodKind::key);
    }

    /** The methods found on the class path, loaded once. */
    final class Registry {
        static final List<MethodKind> ALL = Registries.load(MethodKind.class);

        private Registry() {}
    }
}
