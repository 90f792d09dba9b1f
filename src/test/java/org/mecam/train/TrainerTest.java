package org.mecam.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.model.MecamModel;

/** Trainer steps: no leaked arrays, non-finite losses diagnosed, last good weights kept. */
@ExtendWith(NDManagerExtension.class)
class TrainerTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    @Test
    void stepsFreeEveryArrayTheyCreate() {
        RunConfig c = TestSupport.tiny();
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, null)) {
                BatchBuilder builder = new BatchBuilder(data.train(), false, null);
                List<int[]> plan = BatchBuilder.plan(data.train().size(), c.batchSize, null);
                step(trainer, builder, m, plan.get(0), 0);
                step(trainer, builder, m, plan.get(1), 1);
                int before = m.getManagedArrays().size();
                for (int i = 2; i < 8; i++) {
                    step(trainer, builder, m, plan.get(i), i);
                }
                trainer.predictTest();
                assertEquals(before, m.getManagedArrays().size(), "arrays leaked by training steps");
            }
        }
    }

    private static void step(Trainer trainer, BatchBuilder builder, NDManager m, int[] idx, int i) {
        try (Batch b = builder.build(m, idx)) {
            trainer.stage0Step(b, 1, i);
        }
        try (Batch b = builder.build(m, idx)) {
            Trainer.StepLosses l = trainer.stage1Step(b, 1, i);
            assertTrue(Double.isFinite(l.total()));
        }
    }

    @Test
    void nonFiniteLabelStopsTrainingWithDiagnosisAndKeepsWeights() {
        RunConfig c = TestSupport.tiny("epochs=3");
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        data.train().labels[5] = Float.NaN;
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, null)) {
                FitResult r = trainer.fit();
                assertFalse(r.succeeded());
                NonFiniteLossException e = r.failure();
                assertNotNull(e);
                assertEquals("task loss (L1)", e.term());
                assertEquals(1, e.epoch());
                assertEquals(1, e.stage());
                assertTrue(e.getMessage().contains("epoch 1") && e.getMessage().contains("batch " + e.batch()));
                for (float p : trainer.predictTest()) {
                    assertTrue(Float.isFinite(p), "weights stay those of the last good step");
                }
            }
        }
    }

    /** Unimodal models have no modality pair for the MI terms: beta > 0 must not break their training. */
    @Test
    void modalitiesWithoutAMutualInformationPairTrainWithBetaOn() {
        for (String modalities : new String[] {"t", "a", "v"}) {
            RunConfig c = TestSupport.tiny("epochs=1", "modalities=" + modalities);
            assertTrue(c.beta > 0);
            MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
            Engine.getInstance().setRandomSeed(1);
            List<String> warnings = new java.util.ArrayList<>();
            try (NDManager m = manager.newSubManager()) {
                MecamModel model = MecamModel.create(c.model(), data.info(), m);
                assertFalse(model.hasMutualInformation(), modalities);
                try (Trainer trainer = new Trainer(c.training(), model, data, m, null, new TrainingProgress() {
                    @Override
                    public void onWarning(String message) {
                        warnings.add(message);
                    }
                })) {
                    FitResult r = trainer.fit();
                    assertTrue(r.succeeded(), modalities);
                    assertTrue(Double.isNaN(r.epochs().get(0).term("stage0_lld")), "no stage 0 for " + modalities);
                }
            }
            assertTrue(warnings.stream().anyMatch(w -> w.contains("mutual-information terms and stage 0 are off")),
                    modalities + ": " + warnings);
        }
    }
}
