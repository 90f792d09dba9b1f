package org.mecam.experiment.run;

import ai.djl.Device;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.IoFailure;
import org.mecam.config.RunConfig;
import org.mecam.config.Selection;
import org.mecam.config.TextMode;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.io.Csv;
import org.mecam.engine.NativeRuntime;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.protocol.NegativeSubsets;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.model.PretrainedBert;
import org.mecam.report.Figures;
import org.mecam.train.EpochStats;
import org.mecam.train.FitResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a run directory, written and read here only: their names, what each holds, how
 * a finished run's files are read back (results store, reports, resumed grids, evaluate).
 *
 * <ul>
 *   <li>{@value #CONFIG}: every configuration value plus provenance;
 *   <li>{@value #EPOCHS}: one {@link EpochStats} row per epoch;
 *   <li>{@value #METRICS} / {@value #METRICS_MD}: test metrics of the selected checkpoint, selection
 *       details and the metrics by negative information;
 *   <li>{@value #PREDICTIONS}: index, id, prediction, label (and negative information);
 *   <li>{@value #ROBUSTNESS}: metrics under each perturbation and level (robustness grids);
 *   <li>{@value #FAILURE}: the diagnosis of a non-finite loss;
 *   <li>{@link TrainedRun#CHECKPOINT}: the selected weights; figures as PNG and SVG.
 * </ul>
 *
 * A figure that cannot be drawn (a headless machine without fonts, say) is reported and skipped:
 * it never costs the run, and {@code report} can draw it later from the files above.
 */
public final class RunFiles {

    private static final Logger LOG = LoggerFactory.getLogger(RunFiles.class);

    public static final String CONFIG = "config.json";
    public static final String EPOCHS = "epochs.csv";
    public static final String METRICS = "metrics.json";
    public static final String METRICS_MD = "metrics.md";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String ROBUSTNESS = "robustness.csv";
    public static final String FAILURE = "failure.json";

    private RunFiles() {}

    /** A run's test predictions as written in {@value #PREDICTIONS}. */
    public record Predictions(float[] predictions, float[] labels, String[] negative, String[] negativeModality) {

        /** @return per sample whether it carries negative information, or null when unknown */
        public boolean[] affected() {
            if (negative == null) {
                return null;
            }
            boolean[] out = new boolean[negative.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = !negative[i].equals("none");
            }
            return out;
        }
    }

    // ---- reading

    /** @return the run's {@value #CONFIG} as JSON */
    public static JsonObject config(Path dir) {
        return json(dir.resolve(CONFIG));
    }

    /** @return the run's {@value #METRICS} as JSON */
    public static JsonObject metrics(Path dir) {
        return json(dir.resolve(METRICS));
    }

    /** @return the run's epochs */
    public static List<EpochStats> epochs(Path dir) throws IOException {
        return EpochStats.readCsv(dir.resolve(EPOCHS));
    }

    /** @return the run's {@value #ROBUSTNESS}, or null when it has none */
    public static Csv robustness(Path dir) throws IOException {
        Path file = dir.resolve(ROBUSTNESS);
        return Files.isRegularFile(file) ? Csv.read(file) : null;
    }

    /** @return the run's {@value #PREDICTIONS}, or null when it has none */
    public static Predictions predictions(Path dir) throws IOException {
        Path file = dir.resolve(PREDICTIONS);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Csv csv = Csv.read(file);
        float[] p = new float[csv.size()];
        float[] y = new float[csv.size()];
        String[] negative = csv.header().contains("negative") ? new String[csv.size()] : null;
        String[] modality = csv.header().contains("negative_modality") ? new String[csv.size()] : null;
        for (int i = 0; i < p.length; i++) {
            p[i] = Float.parseFloat(csv.get(i, csv.column("prediction")));
            y[i] = Float.parseFloat(csv.get(i, csv.column("label")));
            if (negative != null) {
                negative[i] = csv.get(i, csv.column("negative"));
            }
            if (modality != null) {
                modality[i] = csv.get(i, csv.column("negative_modality"));
            }
        }
        return new Predictions(p, y, negative, modality);
    }

    private static JsonObject json(Path file) {
        try {
            return org.mecam.config.ConfigJson.parse(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": not a JSON object (" + e.getMessage() + ")", e);
        }
    }

    // ---- writing

    /** Draws one figure; a failure is reported and the run goes on without it. */
    private static void figure(String name, FigureWriter draw) {
        try {
            draw.write();
        } catch (IOException | RuntimeException | Error e) {
            // AWT without fonts fails with InternalError or UnsatisfiedLinkError: caught; memory is not
            if (e instanceof OutOfMemoryError) {
                throw (OutOfMemoryError) e;
            }
            if (IoFailure.is(e)) {
                // a full disk is not a drawing problem: the run cannot be written either
                throw IoFailure.wrap("figure " + name, e);
            }
            LOG.warn("figure {} not drawn ({}); the run is kept, and `report` can draw it later", name, e.toString());
        }
    }

    @FunctionalInterface
    private interface FigureWriter {
        void write() throws IOException;
    }

    public static void write(RunDirectory dir, RunConfig config, MultimodalDataset data, NativeRuntime.Info runtime,
            Device device, Instant start, Experiments.Outcome o, RunOptions options) throws IOException {
        FitResult training = o.training();
        dir.write(CONFIG, configJson(config, data, runtime, device, start, options));
        StringBuilder csv = new StringBuilder(training.csvHeader()).append('\n');
        training.epochs().forEach(e -> csv.append(e.csvRow()).append('\n'));
        dir.write(EPOCHS, csv.toString());
        if (o.metrics() != null) {
            dir.write(METRICS, ConfigJson.GSON.toJson(metricsJson(o.metrics(), training, config, data.test(), o.predictions())));
            dir.write(METRICS_MD, metricsTable(o.metrics(), training, config));
            dir.write(PREDICTIONS, predictionsCsv(data.test(), o.predictions()));
            figure("predictions-vs-truth.png", () -> Figures.predictionScatter(o.predictions(), data.test().labels,
                    affected(data.test()), dir.file("predictions-vs-truth.png")));
            figure("confusion-7class.png", () -> Figures.confusion7(o.predictions(), data.test().labels,
                    dir.file("confusion-7class.png")));
        }
        if (!o.robustness().isEmpty()) {
            dir.write(ROBUSTNESS, Robustness.csv(o.robustness()));
        }
        if (training.failure() != null) {
            dir.write(FAILURE, ConfigJson.GSON.toJson(failureJson(training)));
        }
        if (config.methodKind().trainsNeuralModel() && !training.epochs().isEmpty()) {
            figure("training-curves.png", () -> Figures.trainingCurves(training.epochs(), dir.file("training-curves.png")));
            if (config.diagnostics) {
                figure("loss-effects.png", () -> Figures.lossEffects(training.epochs(), dir.file("loss-effects.png")));
            }
        }
    }

    private static String configJson(RunConfig config, MultimodalDataset data, NativeRuntime.Info runtime,
            Device device, Instant start, RunOptions options) {
        com.google.gson.JsonObject json = ConfigJson.GSON.toJsonTree(config).getAsJsonObject();
        // the count this run resolved (0 = the machine's default), so that a replay computes with the same floats
        json.addProperty("threads", runtime.intraOpThreads());
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
        if (!config.pretrained.isEmpty() && config.textMode == TextMode.BERT) {
            provenance.put("pretrained", pretrainedJson(Path.of(config.pretrained)));
        }
        if (!options.labels().isEmpty()) {
            provenance.put("experiment", options.labels());
        }
        json.add(ConfigJson.PROVENANCE_KEY, ConfigJson.GSON.toJsonTree(provenance));
        return ConfigJson.GSON.toJson(json);
    }

    /** @return the pretrained BERT folder of --pretrained: its path, the sizes adopted and every file's SHA-256 */
    private static Map<String, Object> pretrainedJson(Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", dir.toAbsolutePath().toString());
        m.put("sizes", PretrainedBert.open(dir).sizes().toMap());
        m.put("note", "the encoder's sizes are config.json's; bertSize is not used");
        m.put("sha256", PretrainedBert.fileHashes(dir));
        return m;
    }

    private static Map<String, Object> metricsJson(SentimentMetrics metrics, FitResult training, RunConfig config,
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

    /** @return the message of a run's failure.json, or null when the run did not diverge */
    public static String failureMessage(Path dir) {
        Path file = dir.resolve(FAILURE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonObject f = json(file);
        return f.has("message") && f.get("message").isJsonPrimitive() ? f.get("message").getAsString() : "see " + file;
    }

    private static Map<String, Object> failureJson(FitResult training) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("message", training.failure().getMessage());
        f.put("term", training.failure().term());
        f.put("epoch", training.failure().epoch());
        f.put("stage", training.failure().stage());
        f.put("batch", training.failure().batch());
        f.put("value", String.valueOf(training.failure().value()));
        f.put("checkpoint", training.bestEpoch() > 0
                ? "checkpoint/model.npz holds epoch " + training.bestEpoch() + " (the last good selected checkpoint)"
                : "no epoch finished with a finite loss: no checkpoint is kept");
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
    static String metricsTable(SentimentMetrics m, FitResult training, RunConfig c) {
        StringBuilder sb = new StringBuilder("| MAE | Corr | Acc-7 | Acc-5 | Acc-2 (has0) | F1 (has0) | Acc-2 (non0) | F1 (non0) |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n|");
        for (String key : SentimentMetrics.KEYS) {
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
}
