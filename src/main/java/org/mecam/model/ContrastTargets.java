package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.mecam.config.Positives;
import org.mecam.engine.NativeArrays;

/**
 * The label-derived constants of the contrastive loss for one batch, shared by the three
 * modalities. Masks are additive biases of the logits [S, N] (0 keeps an entry, {@link #OFF}
 * removes it), so that the loss is computed in log-sum-exp form and stays finite at any
 * temperature.
 *
 * @param positiveBias [B, 2B]: 0 on the positive pairs of the similarity block, OFF elsewhere
 *     (the appended negative block never holds a positive)
 * @param negativeScale [B, B]: w * (1 - P)
 * @param selfBias [B, 2B]: OFF at (i, i) and (i, B + i) when excluding self (both blocks), else
 *     null
 * @param rowWeight [B]: 1 / (rows with a positive) for rows with a positive, else 0
 * @param validRows rows that have at least one positive
 */
public record ContrastTargets(
        NDArray positiveBias, NDArray negativeScale, NDArray selfBias, NDArray rowWeight, int validRows) {

    /**
     * The bias that removes a logit: exp(OFF + s) is 0 in float32 for any similarity |s| <= 1/tau,
     * while OFF + s stays finite, so that a row without any kept entry gives a finite value (its
     * weight is 0).
     */
    public static final float OFF = -1e9f;

    /**
     * @param m the batch's manager
     * @param labels the batch's labels
     * @param mode which pairs are positive
     * @param excludeSelf drop each sample's own entries from numerator and denominator, in the
     *     similarity block and in the appended negative block
     * @param negWeight w of the negative logits
     */
    public static ContrastTargets of(NDManager m, float[] labels, Positives mode, boolean excludeSelf,
            double negWeight) {
        int b = labels.length;
        float[] pos = new float[b * 2 * b];
        java.util.Arrays.fill(pos, OFF);
        float[] neg = new float[b * b];
        float[] self = excludeSelf ? new float[b * 2 * b] : null;
        float[] weight = new float[b];
        boolean[] hasPositive = new boolean[b];
        int valid = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                boolean same = sameClass(labels[i], labels[j], mode);
                boolean counted = same && !(excludeSelf && i == j);
                if (counted) {
                    pos[i * 2 * b + j] = 0f;
                    hasPositive[i] = true;
                }
                neg[i * b + j] = same ? 0f : (float) negWeight;
            }
            if (excludeSelf) {
                self[i * 2 * b + i] = OFF;
                self[i * 2 * b + b + i] = OFF;
            }
            valid += hasPositive[i] ? 1 : 0;
        }
        for (int i = 0; i < b; i++) {
            weight[i] = hasPositive[i] ? 1f / valid : 0f;
        }
        return new ContrastTargets(
                NativeArrays.floats(m, pos, new Shape(b, 2L * b)),
                NativeArrays.floats(m, neg, new Shape(b, b)),
                self == null ? null : NativeArrays.floats(m, self, new Shape(b, 2L * b)),
                NativeArrays.floats(m, weight),
                valid);
    }

    /** @return whether two labels form a positive pair under {@code mode} */
    public static boolean sameClass(float a, float b, Positives mode) {
        switch (mode) {
            case EXACT:
                return a == b;
            case SIGN:
                return Math.signum(a) == Math.signum(b);
            case CLASS7:
                return class7(a) == class7(b);
            default:
                throw new IllegalArgumentException("unknown positives mode " + mode);
        }
    }

    /** @return the label rounded half-to-even after clipping to [-3, 3] */
    public static int class7(float y) {
        return (int) Math.rint(Math.max(-3f, Math.min(3f, y)));
    }
}
