package org.mecam.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.mecam.config.ConfigException;
import org.mecam.config.IoFailure;
import org.mecam.config.RunConfig;
import org.mecam.config.Method;
import org.mecam.config.Selection;
import org.mecam.engine.Devices;
import org.mecam.engine.NativeRuntime;
import org.mecam.eval.Inference;
import org.mecam.eval.SentimentMetrics;
import org.mecam.model.MecamModel;
import org.mecam.train.Checkpoint;
import org.mecam.train.EpochStats;
import org.mecam.train.EpochDiagnostics;
import org.mecam.objective.Objective;
import org.mecam.engine.ProcessMemory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mecam.train.Trainer;
import org.mecam.train.TrainingProgress;
import org.mecam.train.FitResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.BatchBuilder;

/**
 * Trains and evaluates one configuration and writes its run directory: the path every entry
 * point (command line, notebooks, grids, tests) takes.
 */
public final class Experiments {

    private static final Logger LOG = LoggerFactory.getLogger(Experiments.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneId.systemDefault());

    private Experiments() {}

    /** Runs {@code config} and writes {@code <results>/<run-id>/}. */
    public static RunResult run(RunConfig config, TrainingProgress listener) {
        return run(config, listener, null);
    }

    /**
     * Runs {@code config}. The configuration and the data are checked before anything is
     * written: bad input throws {@link ConfigException} and leaves no run directory.
     *
     * @param target the run directory to create, or null for {@code <results>/<run-id>}
     */
    public static RunResult run(RunConfig config, TrainingProgress listener, Path target) {
        return run(config, listener, target, RunOptions.none());
    }

    /** As {@link #run(RunConfig, TrainingProgress, Path)}, with labels and a robustness sweep. */
    public static RunResult run(RunConfig config, TrainingProgress listener, Path target, RunOptions options) {
        config.validate();
        NativeRuntime.start(config.threads);
        return run(config, Datasets.load(config), listener, target, options);
    }

    /**
     * Runs {@code config} on a dataset already in memory (the config's data keys are then only
     * recorded, not used to load).
     *
     * @param target the run directory to create, or null for {@code <results>/<run-id>}
     */
    public static RunResult run(RunConfig config, MultimodalDataset data, TrainingProgress listener, Path target) {
        return run(config, data, listener, target, RunOptions.none());
    }

    /** The general form: dataset in memory, target directory, options. */
    public static RunResult run(RunConfig config, MultimodalDataset data, TrainingProgress listener, Path target,
            RunOptions options) {
        config.validate();
        NativeRuntime.Info runtime = NativeRuntime.start(config.threads);
        Datasets.checkFits(config, data);
        BatchBuilder.FrameTransform augmentation = Augmentations.parse(config.augment, config.seed,
                data.info().unknownTokenId());
        Device device = Devices.resolve(config.device);
        if (config.selection == Selection.TEST_LEAKY) {
            LOG.warn("selection=test-leaky: a checkpoint is kept only when the TEST MAE also improves, as in the"
                    + " published code. This leaks the test set into model selection; do not report these numbers"
                    + " as held-out results.");
        }
        Instant start = Instant.now();
        RunDirectory dir;
        try {
            dir = RunDirectory.start(target == null ? Paths.get(config.results) : target.getParent(), runId(config, start));
        } catch (IOException e) {
            throw IoFailure.wrap("cannot create a run directory under " + Paths.get(config.results).toAbsolutePath(), e);
        }
        Outcome o;
        try {
            if (config.method == Method.MECAM) {
                TrainingProgress progress = config.tensorboard
                        ? TensorBoardProgress.open(dir.file(TensorBoardProgress.FOLDER), config, listener) : listener;
                try {
                    o = trainMecam(config, data, device, augmentation, progress, options, dir);
                } finally {
                    if (progress instanceof TensorBoardProgress) {
                        ((TensorBoardProgress) progress).closeQuietly();
                    }
                }
            } else {
                o = fitTribuo(config, data, options);
            }
            RunFiles.write(dir, config, data, runtime, device, start, o, options);
        } catch (IOException e) {
            dir.abandon(); // half-written: nothing of it is kept, and its space is freed
            throw IoFailure.wrap("cannot write the run", e);
        } catch (RuntimeException | Error e) {
            dir.abandon();
            throw e;
        }
        Path finalDir;
        try {
            finalDir = target == null ? dir.commit() : dir.commitTo(target);
        } catch (IOException e) {
            // the run is complete: keep it where it is rather than lose hours of training
            Path kept = dir.keep();
            throw IoFailure.wrap("cannot move the finished run into place (it is kept, complete, in " + kept
                    + "; move it by hand)", e);
        }
        return new RunResult(finalDir, config, o.training, o.metrics, o.predictions, data.test().labels);
    }

    /** What training produced, for writing. */
    record Outcome(FitResult training, SentimentMetrics metrics, float[] predictions, List<Robustness.Row> robustness) {}

    private static Outcome trainMecam(RunConfig config, MultimodalDataset data, Device device,
            BatchBuilder.FrameTransform augmentation, TrainingProgress listener, RunOptions options, RunDirectory dir)
            throws IOException {
        try (TrainedRun run = TrainedRun.fresh(config, data, config.seed)) {
            MecamModel model = run.model();
            NDManager manager = run.manager();
            FitResult training;
            float[] predictions = null;
            List<Robustness.Row> rows = List.of();
            try (Trainer trainer = new Trainer(config.training(), model, data, manager, augmentation, listener,
                    options.objective())) {
                training = trainer.fit();
                if (training.bestEpoch() > 0) {
                    Predictor predictor = mecamPredictor(model, manager, config);
                    predictions = predictor.predict(data.test(), null);
                    rows = Robustness.evaluate(predictor, data, options, config.seed);
                }
            }
            if (training.bestEpoch() > 0) {
                // the selected epoch (the last good one when training diverged later); a run that diverged
                // before any epoch finished keeps no checkpoint: its weights are not worth evaluating
                Files.createDirectories(dir.file("checkpoint"));
                Checkpoint.save(model, dir.file("checkpoint").resolve("model.npz"));
            }
            SentimentMetrics metrics = predictions == null ? null : SentimentMetrics.compute(predictions, data.test().labels);
            return new Outcome(training, metrics, predictions, rows);
        }
    }

    /** @return predictions of a trained model over any split, optionally perturbed */
    public static Predictor mecamPredictor(MecamModel model, NDManager manager, RunConfig config) {
        boolean ids = config.textMode != org.mecam.config.TextMode.FEATURES;
        return (split, transform) -> Inference.predict(model, new BatchBuilder(split, ids, transform), manager,
                config.batchSize);
    }

    private static Outcome fitTribuo(RunConfig config, MultimodalDataset data, RunOptions options) {
        long start = System.nanoTime();
        TribuoBaseline baseline = TribuoBaseline.fit(config, data);
        float[] valid = baseline.predict(data.valid(), null);
        double validMae = Inference.mae(valid, data.valid().labels);
        Objective objective = Objective.standard();
        Map<String, Double> terms = new LinkedHashMap<>();
        objective.names().forEach(n -> terms.put(n, Double.NaN));
        Map<String, Integer> counters = new LinkedHashMap<>();
        objective.counters().forEach(n -> counters.put(n, 0));
        EpochStats fit = new EpochStats(1, terms, counters, Double.NaN, Double.NaN, validMae, Double.NaN, Double.NaN,
                true, (System.nanoTime() - start) / 1e9, ProcessMemory.rssMb(), EpochDiagnostics.empty(objective));
        FitResult training = new FitResult(List.of(fit), 1, validMae, "fitted " + config.method.key(), null,
                EpochStats.header(objective));
        float[] predictions = baseline.predict(data.test(), null);
        return new Outcome(training, SentimentMetrics.compute(predictions, data.test().labels), predictions,
                Robustness.evaluate(baseline, data, options, config.seed));
    }

    /** @return a readable, sortable id: time, dataset or preset, fusion, seed and the optional name */
    static String runId(RunConfig c, Instant start) {
        String data = org.mecam.config.DatasetFormat.of(c.dataset).label(c);
        String id = ID_TIME.format(start) + "-" + data + "-" + c.fusion + "-s" + c.seed;
        return c.name.isEmpty() ? id : id + "-" + c.name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Re-evaluation of a saved run. */
    public record Evaluation(SentimentMetrics metrics, float[] predictions, float[] labels, RunConfig config) {}

    /**
     * Rebuilds a run's model and data from its directory, loads its checkpoint and evaluates the
     * test split.
     *
     * @throws ConfigException if the directory lacks config.json or the checkpoint
     */
    public static Evaluation evaluate(Path runDir) {
        try (TrainedRun run = TrainedRun.open(runDir)) {
            float[] p = run.predict(run.data().test());
            return new Evaluation(SentimentMetrics.compute(p, run.data().test().labels), p, run.data().test().labels, run.config());
        }
    }
}
