package org.mecam.experiment.protocol;

import org.mecam.data.Split;
import org.mecam.data.batch.BatchBuilder;

/** Predicts a split's sentiment scores, optionally with its samples perturbed on the way in. */
public interface Predictor {

    /**
     * @param split the split
     * @param transform perturbation of the samples, or null
     * @return one prediction per sample, in order
     */
    float[] predict(Split split, BatchBuilder.FrameTransform transform);
}
