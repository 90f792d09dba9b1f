package org.mecam.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
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
import org.mecam.engine.NativeArrays;
import org.mecam.model.MecamModel;

/**
 * Training steps that stay on the device (what a GPU needs to run ahead of the host): the
 * values of a step are read back later, all at once, and that changes nothing that training
 * computes; a step copies nothing from the host once its batch is prepared; a non-finite step is
 * skipped on the device and named when read (OptimizationTest checks the device-side clipping
 * and Adam).
 */
@ExtendWith(NDManagerExtension.class)
class DeviceStepTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    /** Everything a fit reports and leaves, with the batches' progress events. */
    private record Fit(List<EpochStats> epochs, List<String> batches, float[] test) {}

    private static Fit fit(RunConfig c, MultimodalDataset data, int readback) {
        Engine.getInstance().setRandomSeed(1);
        List<String> batches = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            TrainingProgress progress = new TrainingProgress() {
                @Override
                public void onBatch(int epoch, int stage, int batch, double loss) {
                    batches.add(epoch + "/" + stage + "/" + batch + " " + loss);
                }
            };
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, progress)) {
                assertEquals(1, trainer.readback(), "the CPU reads after every step by default");
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> trainer.setReadback(0));
                assertTrue(bad.getMessage().contains("at least 1 step"), bad.getMessage());
                trainer.setReadback(readback);
                FitResult r = trainer.fit();
                assertTrue(r.succeeded(), r.stopReason());
                return new Fit(r.epochs(), batches, trainer.predictTest());
            }
        }
    }

    @Test
    void readingStepValuesLaterChangesNothingTrainingComputes() {
        for (String fusion : new String[] {"attention", "early"}) {
            RunConfig c = fusion.equals("early") ? TestSupport.tiny("epochs=2", "fusion=early", "alpha=0", "beta=0")
                    : TestSupport.tiny("epochs=2");
            MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
            Fit everyStep = fit(c, data, 1);
            for (int readback : new int[] {3, 1000}) {
                Fit later = fit(c, data, readback);
                assertArrayEquals(everyStep.test(), later.test(), fusion + ", readback " + readback);
                assertEquals(everyStep.batches(), later.batches(), fusion + ", readback " + readback);
                assertEquals(everyStep.epochs().size(), later.epochs().size());
                for (int e = 0; e < everyStep.epochs().size(); e++) {
                    EpochStats a = everyStep.epochs().get(e);
                    EpochStats b = later.epochs().get(e);
                    String what = fusion + ", readback " + readback + ", epoch " + (e + 1);
                    assertEquals(a.terms(), b.terms(), what);
                    assertEquals(a.counters(), b.counters(), what);
                    assertEquals(a.trainLoss(), b.trainLoss(), what);
                    assertEquals(a.gradNorm(), b.gradNorm(), what);
                    assertEquals(a.validMae(), b.validMae(), what);
                    assertEquals(a.diagnostics(), b.diagnostics(), what);
                }
            }
        }
    }

    /**
     * Once {@link MecamModel#prepare} has copied a batch's label-derived inputs, the steps of
     * both stages copy nothing from the host (the optimizer's and the loss's scalars are made on
     * the device), and their values wait on the device until read.
     */
    @Test
    void aPreparedStepCopiesNothingFromTheHost() {
        for (String[] overrides : new String[][] {{}, {"fusion=early", "alpha=0", "beta=0"}, {"fusion=concat"}}) {
            withTrainer(TestSupport.tiny(overrides), (c, m, model, trainer, builder, plan) -> {
                boolean mi = c.beta > 0 && model.hasMutualInformation();
                for (int i = 0; i < 3; i++) {
                    try (Batch b = builder.build(m, plan.get(i))) {
                        model.prepare(b);
                        long uploads = NativeArrays.uploads();
                        if (mi) {
                            trainer.stage0Deferred(b, 1, i);
                        }
                        trainer.stage1Deferred(b, 1, i);
                        assertEquals(uploads, NativeArrays.uploads(), String.join(" ", overrides) + ", step " + i);
                    }
                }
                assertEquals(mi ? 6 : 3, trainer.pendingSteps());
                Trainer.Readback r = trainer.readBack();
                assertEquals(mi ? 3 : 0, r.stage0().size());
                assertEquals(3, r.stage1().size());
                assertEquals(0, trainer.pendingSteps());
                r.stage1().forEach(l -> assertTrue(Double.isFinite(l.total()) && l.gradNorm() > 0));
            });
        }
    }

    /**
     * A step with a NaN label is run and skipped on the device: weights stay exactly as they
     * were, the steps after it in the same read train on, and the read names the step. The
     * garbage collector runs between the steps (DJL frees host scalars that autograd still
     * holds; these steps have none).
     */
    @Test
    void aNonFiniteStepIsSkippedOnTheDeviceAndNamedWhenRead() {
        withTrainer(TestSupport.tiny(), (c, m, model, trainer, builder, plan) -> {
            List<float[]> before = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                before.add(weights(model));
                try (Batch b = builder.build(m, plan.get(i))) {
                    if (i == 1) {
                        b.labels.set(new NDIndex("0"), Float.NaN);
                    }
                    trainer.stage1Deferred(b, 2, i);
                }
                TestSupport.forceGc();
            }
            float[] after = weights(model);
            assertFalse(java.util.Arrays.equals(before.get(0), before.get(1)), "step 0 trained");
            assertArrayEquals(before.get(1), before.get(2), "the NaN step changed no weight");
            assertFalse(java.util.Arrays.equals(before.get(2), after), "step 2 trained");
            for (float w : after) {
                assertTrue(Float.isFinite(w));
            }
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, trainer::readBack);
            assertEquals("task loss (L1)", e.term());
            assertEquals(2, e.epoch());
            assertEquals(1, e.stage());
            assertEquals(1, e.batch());
            assertEquals(0, trainer.pendingSteps(), "a failed read drops its steps");
        });
    }

    /** What a test does with a fresh model and its trainer. */
    private interface TrainerBody {
        void run(RunConfig c, NDManager m, MecamModel model, Trainer trainer, BatchBuilder builder, List<int[]> plan);
    }

    /** Runs {@code body} on a fresh model (seed 1) of {@code c} whose trainer reads back every 100 steps. */
    private static void withTrainer(RunConfig c, TrainerBody body) {
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            try (Trainer trainer = new Trainer(c.training(), model, data, m, null, null)) {
                trainer.setReadback(100);
                body.run(c, m, model, trainer, new BatchBuilder(data.train(), false, null),
                        BatchBuilder.plan(data.train().size(), c.batchSize, null));
            }
        }
    }

    private static float[] weights(MecamModel model) {
        List<Float> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            for (float v : p.getValue().getArray().toFloatArray()) {
                out.add(v);
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }
}
