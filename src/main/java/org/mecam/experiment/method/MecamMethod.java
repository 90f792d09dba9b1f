package org.mecam.experiment.method;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.eval.Inference;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.protocol.Predictor;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.experiment.run.TensorBoardProgress;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.model.MecamModel;
import org.mecam.train.Checkpoint;
import org.mecam.train.FitResult;
import org.mecam.train.Trainer;
import org.mecam.train.TrainingProgress;

/**
 * {@code mecam}: the neural model of docs/METHOD.md (and its fusion variants), trained by the
 * one {@link Trainer} on the run's objective; its TensorBoard log written while it trains, the
 * selected epoch's checkpoint kept.
 */
public final class MecamMethod implements TrainingMethod {

    @Override
    public String key() {
        return "mecam";
    }

    @Override
    public String description() {
        return "the neural model (MECAM and its variants, late / early fusion)";
    }

    @Override
    public boolean trainsNeuralModel() {
        return true;
    }

    @Override
    public Experiments.Outcome fit(Context c) throws IOException {
        RunConfig config = c.config();
        TrainingProgress progress = config.tensorboard
                ? TensorBoardProgress.open(c.dir().file(TensorBoardProgress.FOLDER), config, c.listener()) : c.listener();
        try {
            return train(c, progress);
        } finally {
            if (progress instanceof TensorBoardProgress) {
                ((TensorBoardProgress) progress).closeQuietly();
            }
        }
    }

    private static Experiments.Outcome train(Context c, TrainingProgress listener) throws IOException {
        RunConfig config = c.config();
        try (TrainedRun run = TrainedRun.fresh(config, c.data(), config.seed)) {
            MecamModel model = run.model();
            NDManager manager = run.manager();
            FitResult training;
            float[] predictions = null;
            List<Robustness.Row> rows = List.of();
            try (Trainer trainer = new Trainer(config.training(), model, c.data(), manager, c.augmentation(), listener,
                    c.options().objective())) {
                training = trainer.fit();
                if (training.bestEpoch() > 0) {
                    Predictor predictor = predictor(model, manager, config);
                    predictions = predictor.predict(c.data().test(), null);
                    rows = Robustness.evaluate(predictor, c.data(), c.options(), config.seed);
                }
            }
            if (training.bestEpoch() > 0) {
                // the selected epoch (the last good one when training diverged later); a run that diverged
                // before any epoch finished keeps no checkpoint: its weights are not worth evaluating
                Files.createDirectories(c.dir().file("checkpoint"));
                Checkpoint.save(model, c.dir().file("checkpoint").resolve("model.npz"));
            }
            SentimentMetrics metrics = predictions == null ? null
                    : SentimentMetrics.compute(predictions, c.data().test().labels);
            return new Experiments.Outcome(training, metrics, predictions, rows);
        }
    }

    /** @return predictions of a trained model over any split, optionally perturbed */
    public static Predictor predictor(MecamModel model, NDManager manager, RunConfig config) {
        boolean ids = config.textMode != TextMode.FEATURES;
        return (split, transform) -> Inference.predict(model, new BatchBuilder(split, ids, transform), manager,
                config.batchSize);
    }
}
