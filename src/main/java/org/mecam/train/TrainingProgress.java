package org.mecam.train;

/** Receives progress events of a {@link Trainer}; all methods are optional. */
public interface TrainingProgress {

    /** Training starts, on {@code objective} (its terms name the per-epoch values). */
    default void onTrainingStart(org.mecam.objective.Objective objective) {}

    /**
     * An epoch starts.
     *
     * @param epoch 1-based epoch
     * @param epochs maximum epochs
     * @param batches batches of stage 0 plus stage 1
     */
    default void onEpochStart(int epoch, int epochs, int batches) {}

    /** A training batch finished; {@code loss} is its total loss. */
    default void onBatch(int epoch, int stage, int batch, double loss) {}

    /** An epoch finished, after validation. */
    default void onEpochEnd(EpochStats stats) {}

    /** Something worth telling the user happened. */
    default void onWarning(String message) {}
}
