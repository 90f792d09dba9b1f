package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.mecam.config.Positives;
import org.mecam.engine.NativeArrays;

/**
 * The label-derived constants of the contrastive loss for one batch, shared by the three
 * modalities: positive mask, negative-logit scale, self-exclusion bias and row weights.
 *
 * @param positives [B, 2B]: P next to zeros for the appended negative logits
 * @param negativeScale [B, B]: w * (1 - P)
 * @param selfBias [B, B]: -1e9 on the diagonal when excluding self, else null
 * @param rowWeight [B]: 1 / (rows with a positive) for rows with a positive, else 0
 * @param rowPad [B]: 1 for rows without a positive (keeps their log finite), else 0
 * @param validRows rows that have at least one positive
 */
public record ContrastTargets(
        NDArray positives, NDArray negativeScale, NDArray selfBias, NDArray rowWeight, NDArray rowPad, int validRows) {

    /**
     * @param m the batch's manager
     * @param labels the batch's labels
     * @param mode which pairs are positive
     * @param excludeSelf drop each sample's similarity to itself
     * @param negWeight w of the negative logits
     */
    public static ContrastTargets of(NDManager m, float[] labels, Positives mode, boolean excludeSelf,
            double negWeight) {
        int b = labels.length;
        float[] pos = new float[b * 2 * b];
        float[] neg = new float[b * b];
        float[] self = excludeSelf ? new float[b * b] : null;
        float[] weight = new float[b];
        float[] pad = new float[b];
        int valid = 0;
        for (int i = 0; i < b; i++) {
            int count = 0;
            for (int j = 0; j < b; j++) {
                boolean same = sameClass(labels[i], labels[j], mode);
                boolean counted = same && !(excludeSelf && i == j);
                pos[i * 2 * b + j] = counted ? 1f : 0f;
                neg[i * b + j] = same ? 0f : (float) negWeight;
                count += counted ? 1 : 0;
            }
            if (excludeSelf) {
                self[i * b + i] = -1e9f;
            }
            pad[i] = count == 0 ? 1f : 0f;
            valid += count > 0 ? 1 : 0;
        }
        for (int i = 0; i < b; i++) {
            weight[i] = pad[i] == 0f ? 1f / valid : 0f;
        }
        return new ContrastTargets(
                NativeArrays.floats(m, pos, new Shape(b, 2L * b)),
                NativeArrays.floats(m, neg, new Shape(b, b)),
                self == null ? null : NativeArrays.floats(m, self, new Shape(b, b)),
                NativeArrays.floats(m, weight),
                NativeArrays.floats(m, pad),
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
