package org.mecam.experiment.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.report.TensorBoardWriter;
import org.mecam.train.EpochStats;
import org.mecam.train.TrainingProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a run's training log for TensorBoard while it trains ({@code <run>/tensorboard/}, so
 * that {@code tensorboard --logdir results/} shows a grid's runs side by side, named by their
 * path: grid, dataset, variant, seed): per epoch every loss term of the objective by name ({@code loss/<term>}), the validation MAE, the
 * learning rate, the gradient norm, the skipped entropy terms and the diagnostics; the run's
 * configuration as hyperparameters. Passes every event on to the next listener. A write that
 * fails is reported once and ends the log, never the run.
 */
public final class TensorBoardProgress implements TrainingProgress {

    private static final Logger LOG = LoggerFactory.getLogger(TensorBoardProgress.class);

    /** The folder of a run directory that holds its event file. */
    public static final String FOLDER = "tensorboard";

    private final TrainingProgress next;
    private TensorBoardWriter writer;

    private TensorBoardProgress(TensorBoardWriter writer, TrainingProgress next) {
        this.writer = writer;
        this.next = next == null ? new TrainingProgress() {} : next;
    }

    /** @return a listener writing into {@code dir} before passing events to {@code next} */
    public static TrainingProgress open(Path dir, RunConfig config, TrainingProgress next) {
        try {
            TensorBoardWriter w = TensorBoardWriter.open(dir);
            w.hparams(hparams(config));
            return new TensorBoardProgress(w, next);
        } catch (IOException e) {
            LOG.warn("no TensorBoard log for this run: cannot write {} ({})", dir, e.toString());
            return next == null ? new TrainingProgress() {} : next;
        }
    }

    /** @return the configuration's numbers, booleans and strings, provenance left out */
    static Map<String, Object> hparams(RunConfig config) {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonObject json = ConfigJson.GSON.toJsonTree(config).getAsJsonObject();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                continue;
            }
            var p = e.getValue().getAsJsonPrimitive();
            out.put(e.getKey(), p.isNumber() ? p.getAsDouble() : p.isBoolean() ? p.getAsBoolean() : p.getAsString());
        }
        return out;
    }

    /** @return TensorBoard tag to value of one epoch's record */
    static Map<String, Double> scalars(EpochStats s) {
        Map<String, Double> out = new LinkedHashMap<>();
        s.terms().forEach((name, v) -> out.put("loss/" + name, v));
        out.put("loss/total", s.trainLoss());
        out.put("valid/mae", s.validMae());
        out.put("test/mae_leaky", s.testMae());
        out.put("optim/lr_main", s.lrMain());
        out.put("optim/grad_norm", s.gradNorm());
        s.counters().forEach((name, v) -> out.put("optim/" + name, (double) v));
        out.put("system/seconds", s.seconds());
        out.put("system/rss_mb", s.rssMb());
        s.diagnostics().forEach((c, v) -> out.put("diagnostics/" + c, v));
        return out;
    }

    @Override
    public void onTrainingStart(org.mecam.objective.Objective objective) {
        next.onTrainingStart(objective);
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        next.onEpochStart(epoch, epochs, batches);
    }

    @Override
    public void onBatch(int epoch, int stage, int batch, double loss) {
        next.onBatch(epoch, stage, batch, loss);
    }

    @Override
    public void onEpochEnd(EpochStats stats) {
        if (writer != null) {
            try {
                for (Map.Entry<String, Double> e : scalars(stats).entrySet()) {
                    writer.scalar(e.getKey(), e.getValue(), stats.epoch());
                }
            } catch (IOException e) {
                LOG.warn("TensorBoard log stopped: cannot write {} ({})", writer.file(), e.toString());
                closeQuietly();
            }
        }
        next.onEpochEnd(stats);
    }

    @Override
    public void onWarning(String message) {
        next.onWarning(message);
    }

    /** Closes the event file (the run directory is about to be committed). */
    public void closeQuietly() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                // the records written so far are flushed
            }
            writer = null;
        }
    }
}
