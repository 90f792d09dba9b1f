package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mecam.TestSupport;
import org.mecam.config.Positives;
import org.mecam.engine.NoGrad;
import org.mecam.train.Checkpoint;

/** The contrastive loss against a direct, double-precision computation of DESIGN 2.2. */
class ContrastiveLossTest {

    static NDManager manager;

    @BeforeAll
    static void start() {
        TestSupport.start();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static final float[][] H = {{1, 0, 0.5f}, {0.9f, 0.2f, 0.4f}, {-1, 0.3f, 0}, {0.1f, -1, 0.2f}};
    static final float[] LABELS = {2.2f, 1.6f, -0.4f, 1.8f};

    /** L = mean over rows with a positive of -log(sum_pos exp / sum_all exp) of [S, w S (1-P)]. */
    static double expected(float[][] h, float[] labels, Positives mode, boolean excludeSelf, double tau, double w) {
        int b = h.length;
        double[][] z = new double[b][];
        for (int i = 0; i < b; i++) {
            double n = 0;
            for (float v : h[i]) {
                n += v * v;
            }
            z[i] = new double[h[i].length];
            for (int d = 0; d < h[i].length; d++) {
                z[i][d] = h[i][d] / Math.sqrt(n + 1e-12);
            }
        }
        double total = 0;
        int rows = 0;
        for (int i = 0; i < b; i++) {
            double num = 0;
            double den = 0;
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int d = 0; d < z[i].length; d++) {
                    s += z[i][d] * z[j][d];
                }
                s /= tau;
                boolean same = ContrastTargets.sameClass(labels[i], labels[j], mode);
                boolean self = i == j;
                if (!(excludeSelf && self)) {
                    den += Math.exp(s);
                    if (same) {
                        num += Math.exp(s);
                    }
                }
                den += Math.exp(same ? 0 : w * s);
            }
            if (num > 0) {
                total += -Math.log(num / den);
                rows++;
            }
        }
        return rows == 0 ? 0 : total / rows;
    }

    double computed(Positives mode, boolean excludeSelf, double tau) {
        IntraModalContrastiveLoss block = IntraModalContrastiveLoss.create(3, tau);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 3));
        Checkpoint.assign(block.getParameters().get(0).getValue().getArray(), new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
        try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
            float[] flat = new float[12];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(H[i], 0, flat, i * 3, 3);
            }
            NDArray h = m.create(flat, new Shape(4, 3));
            ContrastTargets t = ContrastTargets.of(m, LABELS, mode, excludeSelf, 0.8);
            return block.loss(new ParameterStore(manager, false), h, t, false).head().getFloat();
        }
    }

    @Test
    void matchesHandComputationForEverySwitch() {
        for (Positives mode : Positives.values()) {
            for (boolean excludeSelf : new boolean[] {false, true}) {
                for (double tau : new double[] {0.03, 0.5}) {
                    double want = expected(H, LABELS, mode, excludeSelf, tau, 0.8);
                    double got = computed(mode, excludeSelf, tau);
                    assertEquals(want, got, Math.max(1e-4, 1e-4 * Math.abs(want)),
                            "positives=" + mode + " excludeSelf=" + excludeSelf + " tau=" + tau);
                }
            }
        }
    }

    @Test
    void positivesFollowTheConfiguredClasses() {
        assertTrue(ContrastTargets.sameClass(2.4f, 1.6f, Positives.CLASS7));
        assertFalse(ContrastTargets.sameClass(2.6f, 1.4f, Positives.CLASS7));
        assertTrue(ContrastTargets.sameClass(0.5f, -0.5f, Positives.CLASS7), "both round half to even to 0");
        assertTrue(ContrastTargets.sameClass(0.2f, 2.8f, Positives.SIGN));
        assertFalse(ContrastTargets.sameClass(0f, 0.2f, Positives.SIGN));
        assertFalse(ContrastTargets.sameClass(1.6f, 1.8f, Positives.EXACT));
        assertEquals(3, ContrastTargets.class7(7.5f));
    }

    @Test
    void rowsWithoutPositivesAreLeftOutNotNaN() {
        try (NDManager m = manager.newSubManager()) {
            ContrastTargets t = ContrastTargets.of(m, new float[] {1.1f, -2.5f, 0.1f}, Positives.CLASS7, true, 0.8);
            assertEquals(0, t.validRows(), "every sample is alone in its class");
            float[] pad = t.rowPad().toFloatArray();
            assertEquals(3f, pad[0] + pad[1] + pad[2]);
        }
        IntraModalContrastiveLoss block = IntraModalContrastiveLoss.create(3, 0.03);
        block.setInitializer(Initializer.ONES, Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 3));
        try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
            ContrastTargets t = ContrastTargets.of(m, new float[] {1.1f, -2.5f, 0.1f}, Positives.CLASS7, true, 0.8);
            float loss = block.loss(new ParameterStore(manager, false), m.randomNormal(new Shape(3, 3)), t, false)
                    .head().getFloat();
            assertEquals(0f, loss, "no row has a positive: the loss is 0, not NaN");
        }
    }
}
