package org.mecam.train;

import java.util.List;

/**
 * What {@link Trainer#fit()} produced; the model holds the selected checkpoint's weights.
 *
 * @param epochs one record per finished epoch
 * @param bestEpoch epoch of the selected checkpoint (0 if none was selected)
 * @param bestValidMae validation loss of the selected checkpoint
 * @param stopReason why training ended
 * @param failure the non-finite loss that stopped training, or null
 * @param csvHeader the header of {@code epochs.csv} for the objective trained (its terms' columns)
 */
public record FitResult(
        List<EpochStats> epochs, int bestEpoch, double bestValidMae, String stopReason, NonFiniteLossException failure,
        String csvHeader) {

    /** @return whether training ended without a non-finite loss */
    public boolean succeeded() {
        return failure == null;
    }
}
