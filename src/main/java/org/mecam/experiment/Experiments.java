package org.mecam.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.DatasetKind;
import org.mecam.config.RunConfig;
import org.mecam.config.Method;
import org.mecam.config.Selection;
import org.mecam.data.BatchBuilder;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.engine.Devices;
import org.mecam.engine.NativeRuntime;
import org.mecam.eval.Evaluator;
import org.mecam.eval.Metrics;
import org.mecam.model.MecamModel;
import org.mecam.report.Figures;
import org.mecam.train.Checkpoint;
import org.mecam.train.EpochStats;
import org.mecam.train.Trainer;
import org.mecam.train.TrainingListener;
import org.mecam.train.TrainingResult;
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
    public static RunResult run(RunConfig config, TrainingListener listener) {
        return run(config, listener, null);
    }

    /**
     * Runs {@code config}. The configuration and the data are checked before anything is
     * written: bad input throws {@link ConfigException} and leaves no run directory.
     *
     * @param target the run directory to create, or null for {@code <results>/<run-id>}
     */
    public static RunResult run(RunConfig config, TrainingListener listener, Path target) {
        return run(config, listener, target, RunOptions.none());
    }

    /** As {@link #run(RunConfig, TrainingListener, Path)}, with labels and a robustness sweep. */
    public static RunResult run(RunConfig config, TrainingListener listener, Path target, RunOptions options) {
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
    public static RunResult run(RunConfig config, MultimodalDataset data, TrainingListener listener, Path target) {
        return run(config, data, listener, target, RunOptions.none());
    }

    /** The general form: dataset in memory, target directory, options. */
    public static RunResult run(RunConfig config, MultimodalDataset data, TrainingListener listener, Path target,
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
            throw new ConfigException("cannot create a run directory under " + Paths.get(config.results).toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        try {
            Outcome o = config.method == Method.MECAM
                    ? trainMecam(config, data, device, augmentation, listener, options, dir)
                    : fitTribuo(config, data, options);
            write(dir, config, data, runtime, device, start, o, options);
            Path finalDir = target == null ? dir.commit() : dir.commitTo(target);
            return new RunResult(finalDir, config, o.training, o.metrics, o.predictions, data.test().labels);
        } catch (IOException e) {
            dir.abandon();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            dir.abandon();
            throw e;
        }
    }

    /** What training produced, for writing. */
    private record Outcome(TrainingResult training, Metrics metrics, float[] predictions,
            List<Robustness.Row> robustness) {}

    private static Outcome trainMecam(RunConfig config, MultimodalDataset data, Device device,
            BatchBuilder.FrameTransform augmentation, TrainingListener listener, RunOptions options, RunDirectory dir)
            throws IOException {
        try (TrainedRun run = TrainedRun.fresh(config, data, config.seed)) {
            MecamModel model = run.model();
            NDManager manager = run.manager();
            TrainingResult training;
            float[] predictions = null;
            List<Robustness.Row> rows = List.of();
            try (Trainer trainer = new Trainer(config, model, data, manager, augmentation, listener)) {
                training = trainer.fit();
                if (training.bestEpoch() > 0) {
                    Predictor predictor = mecamPredictor(model, manager, config);
                    predictions = predictor.predict(data.test(), null);
                    rows = Robustness.evaluate(predictor, data, options, config.seed);
                }
            }
            Files.createDirectories(dir.file("checkpoint"));
            Checkpoint.save(model, dir.file("checkpoint").resolve("model.npz"));
            Metrics metrics = predictions == null ? null : Metrics.compute(predictions, data.test().labels);
            return new Outcome(training, metrics, predictions, rows);
        }
    }

    /** @return predictions of a trained model over any split, optionally perturbed */
    public static Predictor mecamPredictor(MecamModel model, NDManager manager, RunConfig config) {
        boolean ids = config.textMode != org.mecam.config.TextMode.FEATURES;
        return (split, transform) -> Evaluator.predict(model, new BatchBuilder(split, ids, transform), manager,
                config.batchSize);
    }

    private static Outcome fitTribuo(RunConfig config, MultimodalDataset data, RunOptions options) {
        long start = System.nanoTime();
        TribuoBaseline baseline = TribuoBaseline.fit(config, data);
        float[] valid = baseline.predict(data.valid(), null);
        double validMae = Evaluator.mae(valid, data.valid().labels);
        EpochStats fit = new EpochStats(1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN,
                Double.NaN, validMae, Double.NaN, Double.NaN, true, (System.nanoTime() - start) / 1e9, Trainer.rssMb(),
                org.mecam.train.EpochDiagnostics.empty());
        TrainingResult training = new TrainingResult(List.of(fit), 1, validMae, "fitted " + config.method.key(), null);
        float[] predictions = baseline.predict(data.test(), null);
        return new Outcome(training, Metrics.compute(predictions, data.test().labels), predictions,
                Robustness.evaluate(baseline, data, options, config.seed));
    }

    /** @return a readable, sortable id: time, dataset or preset, fusion, seed and the optional name */
    static String runId(RunConfig c, Instant start) {
        String data = c.dataset == DatasetKind.SYNTHETIC ? c.preset.key()
                : c.dataset.key() + "-" + Paths.get(c.path).getFileName().toString().replaceAll("\\.[^.]*$", "");
        String id = ID_TIME.format(start) + "-" + data + "-" + c.fusion.key() + "-s" + c.seed;
        return c.name.isEmpty() ? id : id + "-" + c.name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void write(RunDirectory dir, RunConfig config, MultimodalDataset data, NativeRuntime.Info runtime,
            Device device, Instant start, Outcome o, RunOptions options) throws IOException {
        TrainingResult training = o.training;
        dir.write("config.json", configJson(config, data, runtime, device, start, options));
        StringBuilder csv = new StringBuilder(EpochStats.CSV_HEADER).append('\n');
        training.epochs().forEach(e -> csv.append(e.csvRow()).append('\n'));
        dir.write("epochs.csv", csv.toString());
        if (o.metrics != null) {
            dir.write("metrics.json", ConfigJson.GSON.toJson(metricsJson(o.metrics, training, config, data.test(), o.predictions)));
            dir.write("metrics.md", metricsTable(o.metrics, training, config));
            dir.write("predictions.csv", predictionsCsv(data.test(), o.predictions));
            Figures.predictionScatter(o.predictions, data.test().labels, affected(data.test()),
                    dir.file("predictions-vs-truth.png"));
            Figures.confusion7(o.predictions, data.test().labels, dir.file("confusion-7class.png"));
        }
        if (!o.robustness.isEmpty()) {
            dir.write("robustness.csv", Robustness.csv(o.robustness));
        }
        if (training.failure() != null) {
            dir.write("failure.json", ConfigJson.GSON.toJson(failureJson(training)));
        }
        if (config.method == Method.MECAM && !training.epochs().isEmpty()) {
            Figures.trainingCurves(training.epochs(), dir.file("training-curves.png"));
            if (config.diagnostics) {
                Figures.lossEffects(training.epochs(), dir.file("loss-effects.png"));
            }
        }
    }

    private static String configJson(RunConfig config, MultimodalDataset data, NativeRuntime.Info runtime,
            Device device, Instant start, RunOptions options) {
        com.google.gson.JsonObject json = ConfigJson.GSON.toJsonTree(config).getAsJsonObject();
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("gitCommit", Provenance.gitCommit());
        provenance.put("started", start.toString());
        provenance.put("finished", Instant.now().toString());
        provenance.put("device", device.toString());
        provenance.put("versions", Provenance.versions());
        provenance.put("runtime", runtime.toMap());
        provenance.put("machine", Provenance.machine());
        provenance.put("dataset", data.info().toMap());
        provenance.put("samples", Map.of("train", data.train().size(), "valid", data.valid().size(), "test", data.test().size()));
        provenance.put("datasetNotes", data.notes());
        if (!options.labels().isEmpty()) {
            provenance.put("experiment", options.labels());
        }
        json.add(ConfigJson.PROVENANCE_KEY, ConfigJson.GSON.toJsonTree(provenance));
        return ConfigJson.GSON.toJson(json);
    }

    private static Map<String, Object> metricsJson(Metrics metrics, TrainingResult training, RunConfig config,
            Split test, float[] predictions) {
        Map<String, Object> m = new LinkedHashMap<>(metrics.toMap());
        m.put("best_epoch", training.bestEpoch());
        m.put("valid_mae", training.bestValidMae());
        m.put("n_test", metrics.n());
        m.put("epochs_run", training.epochs().size());
        m.put("stop_reason", training.stopReason());
        m.put("selection", config.selection.key());
        if (config.selection == Selection.TEST_LEAKY) {
            m.put("selection_warning", "test-leaky: checkpoint chosen with test MAE; not a held-out result");
        }
        m.put("warnings", metrics.warnings());
        Map<String, Map<String, Double>> subsets = NegativeSubsets.metrics(test, predictions);
        if (!subsets.isEmpty()) {
            m.put("by_negative_info", subsets);
        }
        return m;
    }

    private static Map<String, Object> failureJson(TrainingResult training) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("message", training.failure().getMessage());
        f.put("term", training.failure().term());
        f.put("epoch", training.failure().epoch());
        f.put("stage", training.failure().stage());
        f.put("batch", training.failure().batch());
        f.put("value", String.valueOf(training.failure().value()));
        f.put("checkpoint", training.bestEpoch() > 0
                ? "checkpoint/model.npz holds epoch " + training.bestEpoch() + " (the last good selected checkpoint)"
                : "no epoch finished: checkpoint/model.npz holds the weights before the failing step");
        f.put("hint", "lower --lr-main or --beta, or check the input data for extreme values");
        return f;
    }

    private static boolean[] affected(Split test) {
        if (!test.hasNegativeFlags()) {
            return null;
        }
        boolean[] out = new boolean[test.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = test.negative[i] != org.mecam.data.NegativeInfo.NONE;
        }
        return out;
    }

    /** @return the test metrics as a Markdown table */
    static String metricsTable(Metrics m, TrainingResult training, RunConfig c) {
        StringBuilder sb = new StringBuilder("| MAE | Corr | Acc-7 | Acc-5 | Acc-2 (has0) | F1 (has0) | Acc-2 (non0) | F1 (non0) |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n|");
        for (String key : Metrics.KEYS) {
            sb.append(String.format(java.util.Locale.ROOT, " %.4f |", m.get(key)));
        }
        sb.append(String.format(java.util.Locale.ROOT, "%n%nTest split, %d samples; checkpoint of epoch %d of %d (selection: %s); seed %d.%n",
                m.n(), training.bestEpoch(), training.epochs().size(), c.selection.key(), c.seed));
        return sb.toString();
    }

    static String predictionsCsv(Split test, float[] predictions) {
        boolean flags = test.hasNegativeFlags();
        StringBuilder sb = new StringBuilder("index,id,prediction,label").append(flags ? ",negative,negative_modality\n" : "\n");
        for (int i = 0; i < predictions.length; i++) {
            sb.append(i).append(',').append(csvText(test.ids[i])).append(',').append(predictions[i]).append(',')
                    .append(test.labels[i]);
            if (flags) {
                sb.append(',').append(test.negative[i].key()).append(',')
                        .append(org.mecam.data.NegativeInfo.modalityName(test.negativeModality[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvText(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Re-evaluation of a saved run. */
    public record Evaluation(Metrics metrics, float[] predictions, float[] labels, RunConfig config) {}

    /**
     * Rebuilds a run's model and data from its directory, loads its checkpoint and evaluates the
     * test split.
     *
     * @throws ConfigException if the directory lacks config.json or the checkpoint
     */
    public static Evaluation evaluate(Path runDir) {
        try (TrainedRun run = TrainedRun.open(runDir)) {
            float[] p = run.predict(run.data().test());
            return new Evaluation(Metrics.compute(p, run.data().test().labels), p, run.data().test().labels, run.config());
        }
    }

    /** @return the metrics JSON text a run's metrics.json holds */
    public static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
