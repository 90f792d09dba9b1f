package org.mecam.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunResult;
import org.mecam.train.EpochStats;

/**
 * Every run's TensorBoard log, read back with TensorBoard's own EventAccumulator (the venv of
 * scripts/python-env.sh has tensorboard), holds each epoch's values of epochs.csv under their
 * tags and the configuration as hyperparameters.
 */
@Tag("integration")
@Tag("notebooks")
class TensorBoardTest {

    static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void tensorBoardReadsWhatEpochsCsvSays(@TempDir Path tmp) throws Exception {
        TestSupport.start();
        RunConfig c = TestSupport.tiny("epochs=3", "results=" + tmp.resolve("results"));
        RunResult run = Experiments.run(c, null);
        Path logdir = run.dir().resolve(TensorBoardProgress.FOLDER);
        assertTrue(Files.isDirectory(logdir), "a tensorboard folder in " + run.dir());

        Path log = tmp.resolve("python.log");
        Process env = new ProcessBuilder("bash", ROOT.resolve("scripts/python-env.sh").toString()).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(env.waitFor(900, java.util.concurrent.TimeUnit.SECONDS) && env.exitValue() == 0,
                () -> "scripts/python-env.sh failed: " + read(log));
        Path out = tmp.resolve("events.json");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve(".venv/bin/python").toString(),
                ROOT.resolve("scripts/tensorboard-read.py").toString(), logdir.toString())
                .redirectOutput(out.toFile()).redirectError(log.toFile());
        assertEquals(0, pb.start().waitFor(), () -> "tensorboard-read.py failed: " + read(log));
        JsonObject json = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        JsonObject scalars = json.getAsJsonObject("scalars");

        List<EpochStats> epochs = RunFiles.epochs(run.dir());
        assertEquals(3, epochs.size());
        for (EpochStats e : epochs) {
            for (Map.Entry<String, Double> want : TensorBoardProgress.scalars(e).entrySet()) {
                if (!Double.isFinite(want.getValue())) {
                    continue; // not written: TensorBoard cannot plot NaN
                }
                JsonArray points = scalars.getAsJsonArray(want.getKey());
                assertTrue(points != null, "tag " + want.getKey() + " missing; tags: " + scalars.keySet());
                JsonArray point = null; // tags with epochs not measured (diagnostics) have fewer points
                for (com.google.gson.JsonElement p : points) {
                    if (p.getAsJsonArray().get(0).getAsInt() == e.epoch()) {
                        point = p.getAsJsonArray();
                    }
                }
                assertTrue(point != null, want.getKey() + " has no point at epoch " + e.epoch());
                assertEquals(want.getValue(), point.get(1).getAsDouble(), 1e-6 * Math.max(1, Math.abs(want.getValue())),
                        want.getKey() + " at epoch " + e.epoch());
            }
        }
        for (String tag : List.of("loss/task", "loss/contrastive", "loss/lld", "loss/entropy", "valid/mae", "optim/lr_main",
                "optim/grad_norm", "optim/entropy_skipped", "diagnostics/grad_contrastive_a")) {
            assertTrue(scalars.has(tag), tag);
        }
        JsonObject hparams = json.getAsJsonObject("hparams");
        assertEquals(c.alpha, hparams.get("alpha").getAsDouble());
        assertEquals(c.seed, hparams.get("seed").getAsLong());
        assertEquals("attention", hparams.get("fusion").getAsString());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
