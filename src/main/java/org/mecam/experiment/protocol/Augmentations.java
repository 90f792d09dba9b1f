package org.mecam.experiment.protocol;

import java.util.List;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.batch.Perturbation;
import org.mecam.data.batch.Perturbations;

/** Parses the {@code augment} config value into a training-time perturbation. */
public final class Augmentations {

    private Augmentations() {}

    /**
     * @param spec e.g. {@code audio-drop:0.3,text-shuffle:0.2}; empty for none
     * @param seed the run's seed
     * @param unknownToken [UNK] id for dropped words
     * @return the transform, or null for none
     * @throws org.mecam.config.ConfigException for an unknown kind or a level outside [0, 1]
     */
    public static BatchBuilder.FrameTransform parse(String spec, long seed, int unknownToken) {
        List<Perturbation> list = Perturbation.parseList(spec);
        return list.isEmpty() ? null : Perturbations.augmentation(list, seed, unknownToken);
    }
}
