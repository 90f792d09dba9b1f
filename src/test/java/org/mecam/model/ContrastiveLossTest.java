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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.config.Positives;
import org.mecam.engine.NoGrad;
import org.mecam.train.Checkpoint;

/** The contrastive loss against a direct, double-precision computation of METHOD.md, "Contrastive filter". */
@ExtendWith(NDManagerExtension.class)
class ContrastiveLossTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    static final float[][] H = {{1, 0, 0.5f}, {0.9f, 0.2f, 0.4f}, {-1, 0.3f, 0}, {0.1f, -1, 0.2f}};
    static final float[] LABELS = {2.2f, 1.6f, -0.4f, 1.8f};

    /**
     * An independent reading of the loss, in double precision, by plain sums over pairs: row i's
     * denominator sums exp of every similarity-block logit S_ij and every negative-block logit
     * w S_ij (1 - P_ij) (0 for a positive pair, so exp(0) = 1), its numerator exp(S_ij) over
     * positives j; with excludeSelf, j = i leaves both blocks. L = mean over rows with a positive
     * of -log(numerator / denominator). Exact in double down to tau 0.005 (logits within +-200).
     */
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
                if (excludeSelf && i == j) {
                    continue;
                }
                double s = 0;
                for (int d = 0; d < z[i].length; d++) {
                    s += z[i][d] * z[j][d];
                }
                s /= tau;
                boolean same = ContrastTargets.sameClass(labels[i], labels[j], mode);
                den += Math.exp(s) + Math.exp(same ? 0 : w * s);
                if (same) {
                    num += Math.exp(s);
                }
            }
            if (num > 0) {
                total += -Math.log(num / den);
                rows++;
            }
        }
        return rows == 0 ? 0 : total / rows;
    }

    double computed(Positives mode, boolean excludeSelf, double tau) {
        return computed(H, LABELS, mode, excludeSelf, tau);
    }

    /** The block's loss with the identity projection, so that z = normalize(h). */
    static double computed(float[][] hs, float[] labels, Positives mode, boolean excludeSelf, double tau) {
        int b = hs.length;
        IntraModalContrastiveLoss block = IntraModalContrastiveLoss.create(3, tau);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(b, 3));
        Checkpoint.assign(block.getParameters().get(0).getValue().getArray(), new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
        try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
            float[] flat = new float[b * 3];
            for (int i = 0; i < b; i++) {
                System.arraycopy(hs[i], 0, flat, i * 3, 3);
            }
            NDArray h = m.create(flat, new Shape(b, 3));
            ContrastTargets t = ContrastTargets.of(m, labels, mode, excludeSelf, 0.8);
            return block.loss(new ParameterStore(manager, false), h, t, false).head().getFloat();
        }
    }

    @Test
    void matchesHandComputationForEverySwitch() {
        for (Positives mode : Positives.values()) {
            for (boolean excludeSelf : new boolean[] {false, true}) {
                for (double tau : new double[] {0.005, 0.01, 0.03, 0.5}) {
                    double want = expected(H, LABELS, mode, excludeSelf, tau, 0.8);
                    double got = computed(mode, excludeSelf, tau);
                    assertTrue(Double.isFinite(got), "finite in float32 at tau " + tau);
                    assertEquals(want, got, Math.max(1e-4, 2e-5 * Math.abs(want)),
                            "positives=" + mode + " excludeSelf=" + excludeSelf + " tau=" + tau);
                }
            }
        }
    }

    /**
     * Numbers worked out by hand for two samples of the same class at 90 degrees (S_01 = 0) and
     * one alone in its class, tau 0.01, w 0.8, excluding self. Row 0: its only positive is
     * sample 1 with logit 0; its other entries are sample 2's, at cosine c = 0.6 (logit 60) in the
     * similarity block and 0.8 * 60 = 48 in the negative block, plus sample 1's exp(0) = 1 in the
     * negative block: L_0 = log(1 + 1 + e^60 + e^48) - 0. Row 1 likewise with cosine 0.8 to
     * sample 2 (logits 80, 64). Row 2 has no positive and is left out: L = (L_0 + L_1) / 2.
     */
    @Test
    void workedExampleAtTauOneHundredth() {
        float[][] h = {{1, 0, 0}, {0, 1, 0}, {0.6f, 0.8f, 0}};
        float[] labels = {1f, 1.2f, -2f};
        double l0 = Math.log(2 + Math.exp(60) + Math.exp(48));
        double l1 = Math.log(2 + Math.exp(80) + Math.exp(64));
        double want = (l0 + l1) / 2;
        assertEquals(want, expected(h, labels, Positives.CLASS7, true, 0.01, 0.8), 1e-5, "the reference agrees (0.6f is not 0.6)");
        assertEquals(want, computed(h, labels, Positives.CLASS7, true, 0.01), 1e-3 * want);
        // the published form (self kept) at the same temperature: each row's own logit 100 dominates
        double published = computed(h, labels, Positives.CLASS7, false, 0.01);
        assertTrue(published < 1e-6, "self as a positive makes the loss vanish: " + published);
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
            float[] weight = t.rowWeight().toFloatArray();
            assertEquals(0f, weight[0] + weight[1] + weight[2]);
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
