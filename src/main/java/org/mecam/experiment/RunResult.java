package org.mecam.experiment;

import java.nio.file.Path;
import org.mecam.config.RunConfig;
import org.mecam.eval.SentimentMetrics;
import org.mecam.train.FitResult;

/**
 * One finished run.
 *
 * @param dir the run directory
 * @param config the configuration it ran with
 * @param training per-epoch records, best epoch, stop reason, failure
 * @param metrics test metrics of the selected checkpoint (null if training failed before any)
 * @param predictions test predictions (null if none)
 * @param labels test labels
 */
public record RunResult(
        Path dir, RunConfig config, FitResult training, SentimentMetrics metrics, float[] predictions, float[] labels) {

    /** @return whether training finished without a non-finite loss */
    public boolean succeeded() {
        return training.succeeded();
    }
}
