package org.mecam.experiment.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.data.io.Csv;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.protocol.Predictor;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.experiment.run.ResultStore;
import org.mecam.experiment.run.ReusedRun;
import org.mecam.experiment.run.RunFiles;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.report.ExperimentReport;

/** The robustness smoke grid: sweeps recorded per run, p = 0 equal to the clean test set, tables and curves. */
class RobustnessGridTest {

    @TempDir
    Path root;

    @Test
    void areaEffectiveRobustnessAndLevelsAgainstHandValues() {
        double[] x = {0, 0.5, 1};
        double[] reference = {1, 0.8, 0.2};
        double[] method = {0.9, 0.8, 0.6};
        assertEquals(0.7, Robustness.area(x, reference), 1e-12, "0.5 * (1 + 0.8) / 2 + 0.5 * (0.8 + 0.2) / 2");
        // reference shifted to 0.9 at p = 0: {0.9, 0.7, 0.1}, area 0.6; the method's area is 0.775
        assertEquals(0.175, Robustness.effective(x, method, reference, false), 1e-12);
        assertEquals(-0.175, Robustness.effective(x, method, reference, true), 1e-12, "MAE: lower is better");
        assertEquals("0.00", Robustness.level(0));
        assertEquals("0.10", Robustness.level(0.1));
        assertEquals("0.125", Robustness.level(0.125), "levels closer than 0.01 stay apart");
    }

    @Test
    void theCleanTestSetIsEvaluatedOnceForAllPerturbations() {
        TestSupport.start();
        org.mecam.data.MultimodalDataset data = new org.mecam.data.synthetic.SyntheticGenerator(
                org.mecam.data.synthetic.SyntheticSpec.of(TestSupport.tiny())).generate();
        int[] calls = new int[2];
        Predictor predictor = (split, transform) -> {
            calls[transform == null || ((org.mecam.data.batch.Perturbations) transform).perturbations().get(0).level() == 0 ? 0 : 1]++;
            return split.labels.clone();
        };
        List<org.mecam.data.batch.Perturbation.Kind> kinds = List.of(org.mecam.data.batch.Perturbation.Kind.AUDIO_DROP,
                org.mecam.data.batch.Perturbation.Kind.TEXT_SHUFFLE, org.mecam.data.batch.Perturbation.Kind.VISION_NOISE);
        List<Robustness.Row> rows = Robustness.evaluate(predictor, data, new RunOptions(java.util.Map.of(), kinds,
                List.of(0.0, 0.5)), 1);
        assertEquals(6, rows.size(), "a row per perturbation and level");
        assertEquals(1, calls[0], "p = 0 is the identity: evaluated once");
        assertEquals(3, calls[1]);
        assertEquals(rows.get(0).metrics().toMap(), rows.get(2).metrics().toMap());
    }

    @Test
    @Tag("integration")
    void smokeGridSweepsAndReports() throws Exception {
        TestSupport.start();
        GridRunner.Summary s = GridRunner.run(Grid.load("smoke-robustness"), "smoke-robustness", root, 1, null);
        assertEquals(6, s.ran());
        ResultStore store = ResultStore.scan(root);
        for (ResultStore.Run r : store.runs()) {
            Csv rob = Csv.read(r.dir().resolve("robustness.csv"));
            assertEquals(3 * 3, rob.size(), "3 perturbations x 3 levels");
            JsonObject m = JsonParser.parseString(Files.readString(r.dir().resolve("metrics.json"))).getAsJsonObject();
            for (int i = 0; i < rob.size(); i++) {
                if (Double.parseDouble(rob.get(i, rob.column("level"))) == 0) {
                    assertEquals(m.get("mae").getAsDouble(), Double.parseDouble(rob.get(i, rob.column("mae"))), 1e-6,
                            "p = 0 is the clean test set: " + r.dir());
                }
            }
        }
        ExperimentReport.write(root);
        Csv table = Csv.read(root.resolve("tables").resolve("smoke-robustness-synthetic-tiny-robustness.csv"));
        assertEquals(3 * 3, table.size(), "3 methods x 3 perturbations");
        for (int i = 0; i < table.size(); i++) {
            if (table.get(i, 0).equals("late fusion")) {
                assertEquals("+0.000 [+0.000, +0.000] (p=1.000)", table.get(i, table.column("er mae vs late fusion [95% ci] (p)")),
                        "the reference against itself");
                assertTrue(table.get(i, table.column("δ auc mae vs full [95% ci] (p)")).matches("[+-]\\d\\.\\d{3} \\[.*\\] \\(p=.*\\)"),
                        "late fusion against full, paired over 2 seeds: " + table.get(i, table.column("δ auc mae vs full [95% ci] (p)")));
            }
            assertTrue(table.get(i, table.column("auc mae")).contains("±"));
        }
        for (String metric : List.of("mae", "acc2_has0", "f1_has0")) {
            assertTrue(Files.size(root.resolve("figures").resolve("smoke-robustness-synthetic-tiny-robustness-" + metric
                    + ".png")) > 10_000);
        }
        assertTrue(Files.size(root.resolve("tables").resolve("smoke-robustness-synthetic-tiny-robustness-curves.csv")) > 0);
    }

    /**
     * A robustness grid after an ablation grid on the same root: runs the ablation grid already
     * trained with the same configuration are evaluated, not trained again, and give exactly what
     * training them would; a twin whose checkpoint does not reproduce its predictions is not used.
     */
    @Test
    @Tag("integration")
    void runsAnotherGridTrainedAreReusedWithTheResultsOfTraining() throws Exception {
        TestSupport.start();
        List<Long> one = List.of(1111L);
        Path shared = root.resolve("shared");
        GridRunner.run(Grid.load("smoke").scaled(0, 0, one), "smoke", shared, 1, null);
        Path lateTwin = shared.resolve("smoke/synthetic-tiny/late-fusion/seed-1111/predictions.csv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(lateTwin));
        String[] f = lines.get(1).split(",");
        f[2] = Float.toString(Float.parseFloat(f[2]) + 1e-3f);
        lines.set(1, String.join(",", f));
        Files.write(lateTwin, lines); // no longer what its checkpoint predicts: trained, not reused

        Grid robustness = Grid.load("smoke-robustness").scaled(0, 0, one);
        assertEquals(3, GridRunner.run(robustness, "smoke-robustness", shared, 1, null).ran());
        Path fresh = root.resolve("fresh");
        GridRunner.run(robustness, "smoke-robustness", fresh, 1, null);
        for (String variant : List.of("full", "late-fusion", "tribuo-random-forest")) {
            Path run = Path.of("smoke-robustness", "synthetic-tiny", variant, "seed-1111");
            for (String file : List.of("robustness.csv", "metrics.json", "predictions.csv")) {
                assertEquals(Files.readString(fresh.resolve(run).resolve(file)), Files.readString(shared.resolve(run).resolve(file)),
                        variant + ": " + file + " as training gives it");
            }
            JsonObject provenance = RunFiles.config(shared.resolve(run)).getAsJsonObject("provenance");
            assertEquals("smoke-robustness", provenance.getAsJsonObject("experiment").get("grid").getAsString());
            if (variant.equals("full")) {
                JsonObject reused = provenance.getAsJsonObject(ReusedRun.REUSED);
                assertEquals("smoke/synthetic-tiny/full/seed-1111", reused.get("from").getAsString());
                assertTrue(Files.isRegularFile(shared.resolve(run).resolve(TrainedRun.CHECKPOINT)), "a complete run");
                assertEquals(Files.readString(shared.resolve("smoke/synthetic-tiny/full/seed-1111/epochs.csv")),
                        Files.readString(shared.resolve(run).resolve("epochs.csv")), "its training, copied");
            } else {
                assertTrue(!provenance.has(ReusedRun.REUSED), variant + " was trained: " + provenance);
            }
        }
        assertEquals(3, ResultStore.scan(shared).runs().stream().filter(r -> r.grid().equals("smoke-robustness")).count());

        // a twin whose checkpoint cannot be read: said, and nothing made from it
        Path damaged = root.resolve("damaged/other/synthetic-tiny/full/seed-1111");
        Path twin = shared.resolve("smoke/synthetic-tiny/full/seed-1111");
        try (var files = Files.walk(twin)) {
            for (Path file : files.toList()) {
                Path to = damaged.resolve(twin.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
        }
        Files.write(damaged.resolve(TrainedRun.CHECKPOINT), new byte[] {1, 2, 3});
        Grid.RunSpec full = robustness.expand().get(0);
        Path target = root.resolve("damaged/smoke-robustness/synthetic-tiny/full/seed-1111");
        assertEquals(damaged, ReusedRun.twin(root.resolve("damaged"), root.resolve("damaged/smoke-robustness"), full.config()));
        org.mecam.config.RunConfig otherKernels = full.config().copy();
        otherKernels.mklKernels = otherKernels.mklKernels.equals("avx512") ? "vendor" : "avx512";
        assertEquals(null, ReusedRun.twin(root.resolve("damaged"), root.resolve("damaged/smoke-robustness"), otherKernels),
                "a twin computed with the other MKL kernels is not the same computation");
        org.mecam.config.RunConfig otherMasks = full.config().copy();
        otherMasks.dropoutMasks = "libtorch".equals(org.mecam.model.DropoutMasks.resolve(full.config().dropoutMasks,
                ai.djl.Device.cpu())) ? "kit" : "libtorch";
        assertEquals(null, ReusedRun.twin(root.resolve("damaged"), root.resolve("damaged/smoke-robustness"), otherMasks),
                "a twin computed with other dropout masks is not the same computation");
        org.mecam.config.RunConfig otherAttention = full.config().copy();
        otherAttention.attentionKernel = "direct".equals(full.config().attentionKernel) ? "factored" : "direct";
        assertEquals(null, ReusedRun.twin(root.resolve("damaged"), root.resolve("damaged/smoke-robustness"), otherAttention),
                "a twin whose attention was computed the other way is not the same computation");
        org.mecam.config.RunConfig otherLstm = full.config().copy();
        otherLstm.lstmKernel = "capped".equals(full.config().lstmKernel) ? "training" : "capped";
        assertEquals(null, ReusedRun.twin(root.resolve("damaged"), root.resolve("damaged/smoke-robustness"), otherLstm),
                "a twin whose LSTMs ran on the other kernel is not the same computation");
        assertFalse(ReusedRun.make(damaged, full.config(), org.mecam.data.Datasets.load(full.config()), target,
                robustness.options(full), root.resolve("damaged")), "trained instead");
        assertFalse(Files.exists(target));
    }
}
