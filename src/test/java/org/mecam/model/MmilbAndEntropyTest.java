package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
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
import org.mecam.engine.NoGrad;
import org.mecam.train.Checkpoint;

/** MMILB's lld and the entropy term against values computed by hand. */
@ExtendWith(NDManagerExtension.class)
class MmilbAndEntropyTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    /**
     * mu = relu(x) (identity weights), logvar = log 2 (zero weights, bias log 2):
     * lld = mean_b sum_d -(relu(x) - y)^2 / (2 * 2).
     */
    @Test
    void lldMatchesHandComputation() {
        Mmilb block = Mmilb.create(2);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 2), new Shape(3, 2));
        for (Pair<String, Parameter> p : block.getParameters()) {
            String k = p.getKey();
            NDArray a = p.getValue().getArray();
            if (k.contains("mu") && k.endsWith("weight")) {
                Checkpoint.assign(a, new float[] {1, 0, 0, 1});
            } else if (k.contains("logvar") && k.endsWith("bias") && k.contains("03")) {
                Checkpoint.assign(a, new float[] {(float) Math.log(2), (float) Math.log(2)});
            }
        }
        float[][] x = {{1, -2}, {0.5f, 3}, {-1, -1}};
        float[][] y = {{0.5f, 1}, {2, 2}, {0, -1}};
        double want = 0;
        for (int i = 0; i < 3; i++) {
            for (int d = 0; d < 2; d++) {
                double diff = Math.max(0, x[i][d]) - y[i][d];
                want += -diff * diff / 4;
            }
        }
        want /= 3;
        try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
            NDArray xs = m.create(new float[] {1, -2, 0.5f, 3, -1, -1}, new Shape(3, 2));
            NDArray ys = m.create(new float[] {0.5f, 1, 2, 2, 0, -1}, new Shape(3, 2));
            float got = block.forward(new ParameterStore(manager, false), new ai.djl.ndarray.NDList(xs, ys), false)
                    .head().getFloat();
            assertEquals(want, got, 1e-5);
        }
    }

    @Test
    void logDetMatchesDeterminant() {
        double[][] a = {{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 2}};
        double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        try (NDManager m = manager.newSubManager()) {
            NDArray arr = m.create(new float[] {4, 1, 0.5f, 1, 3, 0.2f, 0.5f, 0.2f, 2}, new Shape(3, 3));
            assertEquals(Math.log(det), Ops.logDet(arr).getFloat(), 1e-5);
            NDArray batch = arr.expandDims(0).concat(arr.mul(m.full(new Shape(), 2f)).expandDims(0), 0); // (2, 3, 3)
            float[] both = Ops.logDet(batch).toFloatArray();
            assertEquals(Math.log(det), both[0], 1e-5);
            assertEquals(Math.log(det * 8), both[1], 1e-5);
        }
    }

    /** d logdet(A) / dA = A^{-T}; checked against central finite differences of logdet itself. */
    @Test
    void logDetGradientMatchesFiniteDifferences() {
        double[] a = {2.0, 0.3, 0.1, 0.3, 1.5, -0.2, 0.1, -0.2, 1.0};
        float[] grad;
        try (NDManager m = manager.newSubManager()) {
            NDArray arr = m.create(toFloat(a), new Shape(3, 3));
            arr.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray ld = Ops.logDet(arr);
                TestSupport.forceGc();
                gc.backward(ld);
            }
            grad = arr.getGradient().toFloatArray();
        }
        double h = 1e-3;
        for (int k = 0; k < 9; k++) {
            double[] plus = a.clone();
            double[] minus = a.clone();
            plus[k] += h;
            minus[k] -= h;
            double numeric = (logDet3(plus) - logDet3(minus)) / (2 * h);
            assertEquals(numeric, grad[k], 2e-3, "d logdet / dA[" + k + "]");
        }
    }

    private static double logDet3(double[] a) {
        return Math.log(a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6])
                + a[2] * (a[3] * a[7] - a[4] * a[6]));
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    @Test
    void covarianceIsTheBiasedMeanOfOuterProducts() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 6, 5, 1}, new Shape(3, 2));
            float[] c = Ops.covariance(x).toFloatArray();
            // means (3, 3); deviations (-2,-1), (0,3), (2,-2)
            assertEquals((4 + 0 + 4) / 3.0, c[0], 1e-5);
            assertEquals((2 + 0 - 4) / 3.0, c[1], 1e-5);
            assertEquals((1 + 9 + 4) / 3.0, c[3], 1e-5);
        }
    }

    /** A side with fewer than dim + 1 samples gives no entropy term and no NaN; the skip is counted. */
    @Test
    void rankDeficientBatchesAreSkippedAndCounted() {
        RunConfig c = TestSupport.tiny("modalities=tv", "alpha=0");
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed(3);
        MecamModel model = MecamModel.create(c.model(), data.info(), manager);
        ParameterStore ps = new ParameterStore(manager, false);
        BatchBuilder builder = new BatchBuilder(data.train(), false, null);
        int[] positives = indicesWhere(data.train().labels, true, 6);
        int[] mixed = new int[12];
        System.arraycopy(indicesWhere(data.train().labels, true, 6), 0, mixed, 0, 6);
        System.arraycopy(indicesWhere(data.train().labels, false, 6), 0, mixed, 6, 6);
        int[] other = new int[12];
        int[] pos12 = indicesWhere(data.train().labels, true, 12);
        int[] neg12 = indicesWhere(data.train().labels, false, 12);
        System.arraycopy(pos12, 6, other, 0, 6);
        System.arraycopy(neg12, 6, other, 6, 6);
        try (EntropyMemory memory = new EntropyMemory(manager); NoGrad ignored = NoGrad.enter()) {
            try (Batch b = builder.build(manager, positives)) {
                assertNull(entropy(model, ps, b, memory), "no memory yet");
            }
            try (Batch b = builder.build(manager, positives)) {
                assertNull(entropy(model, ps, b, memory), "no negative samples at all: nothing to estimate");
                assertEquals(1, memory.skipped());
            }
            try (Batch b = builder.build(manager, mixed)) {
                assertNull(entropy(model, ps, b, memory),
                        "0 + 6 negative samples < 32 / 4 + 1");
                assertEquals(2, memory.skipped());
            }
            try (Batch b = builder.build(manager, mixed)) {
                EntropyTerm.Sum out = entropy(model, ps, b, memory);
                // the same 6 samples twice: a singular covariance, skipped on the device, not -inf
                assertEquals(0f, out.value().getFloat(), "a skipped pair adds 0");
                assertEquals(0f, out.used().getFloat(), "and is not counted as used");
                assertEquals(3, memory.skipped());
            }
            try (Batch b = builder.build(manager, other)) {
                EntropyTerm.Sum out = entropy(model, ps, b, memory);
                assertNotNull(out, "12 distinct samples per side over two batches >= 32 / 4 + 1");
                assertTrue(Float.isFinite(out.value().getFloat()));
                assertEquals(1f, out.used().getFloat());
                assertEquals(3, memory.skipped());
            }
        }
    }

    /**
     * A pair whose logdet is not finite is dropped on the device: backward through the entropy
     * term then gives every weight a gradient of exactly 0, where a logdet of -inf or NaN inside
     * the graph would give NaN, and the garbage collector running meanwhile changes nothing.
     */
    @Test
    void aSingularPairAddsNoGradient() {
        RunConfig c = TestSupport.tiny("modalities=tv", "alpha=0");
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = manager.newSubManager()) {
            MecamModel model = MecamModel.create(c.model(), data.info(), m);
            ParameterStore ps = new ParameterStore(m, false);
            BatchBuilder builder = new BatchBuilder(data.train(), false, null);
            int[] mixed = new int[12];
            System.arraycopy(indicesWhere(data.train().labels, true, 6), 0, mixed, 0, 6);
            System.arraycopy(indicesWhere(data.train().labels, false, 6), 0, mixed, 6, 6);
            try (EntropyMemory memory = new EntropyMemory(m)) {
                try (Batch b = builder.build(m, mixed); NoGrad ignored = NoGrad.enter()) {
                    entropy(model, ps, b, memory);
                }
                try (Batch b = builder.build(m, mixed); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    EntropyTerm.Sum out = entropy(model, ps, b, memory);
                    TestSupport.forceGc();
                    gc.backward(out.value());
                    assertEquals(0f, out.used().getFloat());
                }
                assertEquals(1, memory.skipped());
            }
            int withGradient = 0;
            for (Pair<String, Parameter> p : model.getParameters()) {
                NDArray w = p.getValue().getArray();
                if (w.hasGradient()) {
                    for (float g : w.getGradient().toFloatArray()) {
                        assertEquals(0f, g, p.getKey());
                    }
                    withGradient++;
                }
            }
            assertTrue(withGradient > 0);
        }
    }

    private static int[] indicesWhere(float[] labels, boolean positive, int n) {
        int[] out = new int[n];
        for (int i = 0, k = 0; k < n; i++) {
            if (positive ? labels[i] > 0 : labels[i] < 0) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** @return the model's entropy term on a batch (the encoders without dropout), null when no pair had enough samples */
    private static EntropyTerm.Sum entropy(MecamModel model, ParameterStore ps, Batch b, EntropyMemory memory) {
        return model.entropy(ps, b, model.encode(ps, b, false), memory, false);
    }
}
