package org.mecam.experiment;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.mecam.config.ConfigException;
import org.mecam.config.IoFailure;
import org.mecam.config.RunConfig;
import org.mecam.config.Selection;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.Devices;
import org.mecam.engine.NativeRuntime;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.method.TrainingMethod;
import org.mecam.experiment.protocol.Augmentations;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.experiment.run.RunDirectory;
import org.mecam.experiment.run.RunFiles;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.train.FitResult;
import org.mecam.train.TrainingProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
        NativeRuntime.start(config.threads, config.mklKernels, config.lstmKernel);
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
        NativeRuntime.Info runtime = NativeRuntime.start(config.threads, config.mklKernels, config.lstmKernel);
        Datasets.checkFits(config, data);
        BatchBuilder.FrameTransform augmentation = Augmentations.parse(config.augment, config.seed,
                data.info().unknownTokenId());
        Device device = Devices.resolve(config.device);
        config = withResolvedDropoutMasks(config, device);
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
            o = TrainingMethod.of(config.method).fit(
                    new TrainingMethod.Context(config, data, device, augmentation, listener, options, dir));
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

    /**
     * @return {@code config}, or a copy whose {@code dropoutMasks} is the mode {@code auto} stands
     *     for on {@code device}, so that the run's config.json records (and a replay uses) it
     */
    static RunConfig withResolvedDropoutMasks(RunConfig config, Device device) {
        String resolved = org.mecam.model.DropoutMasks.resolve(config.dropoutMasks, device);
        if (resolved.equals(config.dropoutMasks)) {
            return config;
        }
        RunConfig copy = config.copy();
        copy.dropoutMasks = resolved;
        return copy;
    }

    /** What training produced, for writing. */
    public record Outcome(FitResult training, SentimentMetrics metrics, float[] predictions, List<Robustness.Row> robustness) {}

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
