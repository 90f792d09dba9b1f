package org.mecam.config;

import java.util.List;

/**
 * A fusion variant as the configuration sees it: the key users write ({@code fusion}), what it
 * is, and the constraints it puts on the rest of the configuration and on the data. The variants
 * themselves (their blocks and forward pass) are in {@code org.mecam.model} and are registered
 * in {@code META-INF/services/org.mecam.config.FusionKind}, one class name per line, in the
 * order help texts list them. Adding a variant touches three files: its class, that line, a
 * test.
 */
public interface FusionKind {

    /** @return the key users write, e.g. {@code attention} */
    String key();

    /** @return one line for help texts */
    String description();

    /** @return whether every modality must have the same number of frames (aligned data) */
    default boolean needsAlignedLengths() {
        return false;
    }

    /**
     * @return whether the variant encodes each modality on its own (the contrastive filter, the
     *     MI terms and the representation probes need per-modality vectors)
     */
    default boolean hasModalityEncoders() {
        return true;
    }

    /** @return what in {@code c} does not suit this variant, one message each (empty when it does) */
    default List<String> check(ModelSettings c) {
        return List.of();
    }

    /** @return every registered variant, in registration order */
    static List<FusionKind> all() {
        return Registry.ALL;
    }

    /**
     * @return the variant of {@code key}
     * @throws ConfigException naming the known keys when there is none
     */
    static FusionKind of(String key) {
        return Registries.of(all(), FusionKind::key, "fusion", key);
    }

    /** @return the known keys, comma separated */
    static String keys() {
        return Registries.keys(all(), FusionKind::key);
    }

    /** The variants found on the class path, loaded once. */
    final class Registry {
        static final List<FusionKind> ALL = Registries.load(FusionKind.class);

        private Registry() {}
    }
}
