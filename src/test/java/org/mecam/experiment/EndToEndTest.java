package org.mecam.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.run.RunDirectory;
import org.mecam.train.EpochStats;

/** The tiny preset through the same path users run: training, selection, outputs, re-evaluation. */
class EndToEndTest {

    @TempDir
    static Path results;

    static RunResult run;

    @BeforeAll
    static void train() {
        TestSupport.start();
        RunConfig c = TestSupport.tiny("results=" + results);
        run = Experiments.run(c, null);
    }

    @Test
    void trainingLossFallsAndTestMaeBeatsTheTrainingMean() {
        List<EpochStats> epochs = run.training().epochs();
        assertEquals(12, epochs.size());
        assertTrue(epochs.get(epochs.size() - 1).term("task") < 0.8 * epochs.get(0).term("task"),
                "task loss " + epochs.get(0).term("task") + " -> " + epochs.get(epochs.size() - 1).term("task"));
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(run.config())).generate();
        double mean = 0;
        for (float y : data.train().labels) {
            mean += y;
        }
        mean /= data.train().size();
        double baseline = 0;
        for (float y : data.test().labels) {
            baseline += Math.abs(y - mean);
        }
        baseline /= data.test().size();
        assertTrue(run.metrics().mae() < 0.9 * baseline, "test MAE " + run.metrics().mae() + " vs mean predictor " + baseline);
    }

    @Test
    void runDirectoryHoldsEveryOutput() throws IOException {
        Path dir = run.dir();
        for (String f : new String[] {"config.json", "epochs.csv", "metrics.json", "predictions.csv",
                "checkpoint/model.npz", "training-curves.png"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        JsonObject metrics = JsonParser.parseString(Files.readString(dir.resolve("metrics.json"))).getAsJsonObject();
        for (String key : SentimentMetrics.KEYS) {
            assertEquals(run.metrics().get(key), metrics.get(key).getAsDouble(), 1e-12, key);
        }
        assertEquals(run.training().bestEpoch(), metrics.get("best_epoch").getAsInt());
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        assertTrue(config.getAsJsonObject("provenance").has("gitCommit"));
        assertTrue(config.getAsJsonObject("provenance").getAsJsonObject("versions").has("djl"));
        int resolved = config.getAsJsonObject("provenance").getAsJsonObject("runtime").get("intraOpThreads").getAsInt();
        assertEquals(resolved, config.get("threads").getAsInt(), "the run records the thread count it used");
        RunConfig replay = ConfigJson.load(dir.resolve("config.json").toString());
        assertEquals(resolved, replay.threads);
        replay.threads = run.config().threads;
        assertEquals(ConfigJson.toJson(run.config()), ConfigJson.toJson(replay), "every other key as given");
        List<String> epochs = Files.readAllLines(dir.resolve("epochs.csv"));
        assertEquals(EpochStats.CSV_HEADER, epochs.get(0));
        assertEquals(13, epochs.size());
        assertEquals(129, Files.readAllLines(dir.resolve("predictions.csv")).size());
        BufferedImage png = ImageIO.read(dir.resolve("training-curves.png").toFile());
        assertTrue(png.getWidth() > 1000 && png.getHeight() > 500);
        assertFalse(Files.exists(results.resolve(RunDirectory.STAGING)), "the staging area is removed once empty");
    }

    @Test
    void evaluatingTheCheckpointReproducesTheMetrics() {
        Experiments.Evaluation e = Experiments.evaluate(run.dir());
        for (String key : SentimentMetrics.KEYS) {
            assertEquals(run.metrics().get(key), e.metrics().get(key), 1e-6, key);
        }
    }

    @Test
    void sameSeedGivesIdenticalMetricsAndAnotherSeedDoesNot() {
        RunConfig c = TestSupport.tiny("results=" + results, "epochs=3", "seed=21");
        SentimentMetrics a = Experiments.run(c, null).metrics();
        SentimentMetrics b = Experiments.run(c, null).metrics();
        assertEquals(a.toMap(), b.toMap());
        c.seed = 22;
        assertNotEquals(a.toMap(), Experiments.run(c, null).metrics().toMap());
    }

    @Test
    void aNonFiniteLossLeavesADiagnosisAndNoCheckpointBeforeAGoodEpoch() throws IOException {
        RunConfig c = TestSupport.tiny("results=" + results, "epochs=2");
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        data.train().labels[3] = Float.POSITIVE_INFINITY;
        RunResult r = Experiments.run(c, data, null, results.resolve("failed"));
        assertFalse(r.succeeded());
        JsonObject failure = JsonParser.parseString(Files.readString(r.dir().resolve("failure.json"))).getAsJsonObject();
        assertEquals("task loss (L1)", failure.get("term").getAsString());
        assertEquals(1, failure.get("epoch").getAsInt());
        assertTrue(failure.get("checkpoint").getAsString().contains("no checkpoint"), failure.toString());
        assertFalse(Files.exists(r.dir().resolve("checkpoint/model.npz")), "no weights that never made a good epoch");
        assertFalse(Files.exists(r.dir().resolve("metrics.json")), "no metrics for a failed run");
    }
}
