package org.mecam.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.model.MecamModel;
import org.mecam.objective.Objective;

/**
 * The default contrastive form acts (value and gradient on the encoders are not negligible at
 * init, where the published form gives neither), and the per-epoch diagnostics are written and
 * finite without changing the training trajectory.
 */
@ExtendWith(NDManagerExtension.class)
class DiagnosticsTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    /** @return the diagnostics of the initial weights on the tiny preset */
    private static Map<String, Double> atInit(RunConfig c) {
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed((int) c.seed);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, null)) {
                Map<String, Double> out = EpochDiagnostics.empty(Objective.standard());
                TestSupport.forceGc(); // gradients must survive collected Java buffers (the DJL scalar bug)
                EpochDiagnostics.gradients(out, model, new ParameterStore(m, false),
                        new BatchBuilder(data.train(), false, null), m, c.batchSize, trainer.objective(),
                        trainer.parameters());
                return out;
            }
        }
    }

    @Test
    void theDefaultContrastiveFormActsAtInitAndThePublishedOneDoesNot() {
        RunConfig c = TestSupport.tiny();
        assertTrue(c.excludeSelf, "the default form excludes self");
        Map<String, Double> acting = atInit(c);
        RunConfig published = TestSupport.tiny("excludeSelf=false");
        Map<String, Double> inert = atInit(published);
        for (char m : new char[] {'t', 'a', 'v'}) {
            double g = acting.get("grad_contrastive_" + m);
            double task = acting.get("grad_task_" + m);
            assertTrue(g > 0.01 * task && g > 1e-3, "acting filter's gradient on encoder " + m + ": " + g
                    + " vs task " + task);
            // measured here with alpha 0.2: published 0.091 / 0.031 / 0.005 against acting 2.83 / 2.26 / 2.73 (t / a / v)
            assertTrue(inert.get("grad_contrastive_" + m) < 0.1 * g, "published form on " + m + ": "
                    + inert.get("grad_contrastive_" + m) + " vs acting " + g);
        }
    }

    @Test
    void theDefaultContrastiveLossValueIsNotNegligibleAtInit() {
        RunConfig c = TestSupport.tiny("epochs=1");
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed((int) c.seed);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, null)) {
                BatchBuilder b = new BatchBuilder(data.train(), false, null);
                try (org.mecam.data.batch.Batch batch = b.build(m, BatchBuilder.plan(data.train().size(), c.batchSize, null).get(0))) {
                    Trainer.StepLosses l = trainer.stage1Step(batch, 1, 0);
                    // log(batch size) is the loss of an uninformed filter; the published form gives ~1e-10
                    assertTrue(l.term("contrastive") > 0.1, "nce at init: " + l.term("contrastive"));
                    assertEquals(3, l.parts().size(), "one contrastive loss per modality: " + l.parts());
                    for (double v : l.parts().values()) {
                        assertTrue(v > 0.5, "per-modality loss at init: " + l.parts());
                    }
                }
            }
        }
    }

    @Test
    void epochsCsvCarriesFiniteDiagnosticsAndTheyDoNotChangeTraining(@TempDir Path tmp) throws Exception {
        RunConfig on = TestSupport.tiny("epochs=2", "diagnosticsEvery=1");
        RunConfig off = TestSupport.tiny("epochs=2", "diagnostics=false");
        FitResult a = fit(on);
        FitResult b = fit(off);
        assertEquals(a.epochs().get(1).validMae(), b.epochs().get(1).validMae(), 0.0,
                "diagnostics draw no random numbers and leave the gradients zeroed: same trajectory");
        EpochStats e = a.epochs().get(1);
        for (String column : EpochDiagnostics.columns(Objective.standard())) {
            if (column.equals("grad_entropy_t")) {
                assertEquals(0.0, e.diagnostic(column), "no entropy pair projects text");
                continue;
            }
            assertTrue(Double.isFinite(e.diagnostic(column)), column + " = " + e.diagnostic(column));
        }
        assertTrue(Double.isNaN(b.epochs().get(1).diagnostic("grad_task_t")), "off: not measured");
        Path csv = tmp.resolve("epochs.csv");
        StringBuilder s = new StringBuilder(EpochStats.CSV_HEADER).append('\n');
        a.epochs().forEach(x -> s.append(x.csvRow()).append('\n'));
        Files.writeString(csv, s);
        List<EpochStats> back = EpochStats.readCsv(csv);
        assertEquals(e.diagnostic("sep_h_a_neg"), back.get(1).diagnostic("sep_h_a_neg"), 0.0);
        assertTrue(Files.readAllLines(csv).get(0).contains("grad_contrastive_v,"));
    }

    @Test
    void everyFewEpochsGivesTheSameValuesWhereMeasuredAndTheSameTraining() {
        FitResult every = fit(TestSupport.tiny("epochs=4", "diagnosticsEvery=1"));
        FitResult sparse = fit(TestSupport.tiny("epochs=4", "diagnosticsEvery=3"));
        for (int i = 0; i < 4; i++) {
            EpochStats a = every.epochs().get(i);
            EpochStats b = sparse.epochs().get(i);
            assertEquals(a.validMae(), b.validMae(), 0.0, "epoch " + a.epoch() + ": same trajectory");
            assertEquals(a.improved(), b.improved());
            boolean measured = a.epoch() == 1 || a.epoch() == 3 || a.improved();
            for (String column : EpochDiagnostics.columns(Objective.standard())) {
                if (column.startsWith("contrastive_")) {
                    assertEquals(a.diagnostic(column), b.diagnostic(column), 0.0, column + " is a training mean");
                } else if (measured) {
                    assertEquals(a.diagnostic(column), b.diagnostic(column), 0.0, column + " at epoch " + a.epoch());
                } else {
                    assertTrue(Double.isNaN(b.diagnostic(column)), column + " not measured at epoch " + a.epoch());
                }
            }
        }
        assertTrue(sparse.epochs().stream().anyMatch(e -> !e.improved() && e.epoch() != 1 && e.epoch() != 3),
                "some epoch is skipped, or the test shows nothing");
    }

    private static FitResult fit(RunConfig c) {
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed((int) c.seed);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, null)) {
                return trainer.fit();
            }
        }
    }

    @Test
    void separationGapByHand() {
        float[][] x = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
        int[] cls = {0, 0, 1, 1};
        // each anchor: same class cosine 1, other class 0 -> gap 1
        assertEquals(1.0, EpochDiagnostics.gap(x, cls, new boolean[] {true, true, true, true}), 1e-12);
        float[][] y = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};
        // anchor 0: same class (1) cosine 0; other class (2, 3) cosines 1, 0 -> -0.5
        assertEquals(-0.5, EpochDiagnostics.gap(y, cls, new boolean[] {true, false, false, false}), 1e-12);
        assertTrue(Double.isNaN(EpochDiagnostics.gap(y, cls, new boolean[4])), "no anchors");
    }
}
