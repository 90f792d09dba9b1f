package org.mecam.experiment;

import org.mecam.config.ConfigException;
import org.mecam.data.BatchBuilder;

/** Parses the {@code augment} config value into a training-time perturbation. */
public final class Augmentations {

    private Augmentations() {}

    /**
     * @param spec empty for none
     * @return the transform, or null for none
     */
    public static BatchBuilder.FrameTransform parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        throw new ConfigException("augment: training-time perturbations are not available in this build ('" + spec + "')");
    }
}
