package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** Differentiable helpers that DJL lacks, written so that autograd never sees a Java-owned buffer. */
public final class Ops {

    private Ops() {}

    /** @return a 0-d array of {@code like}'s type and device, created natively */
    public static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    /**
     * The training flag to give an LSTM: true whenever autograd records. A one-layer LSTM has no
     * dropout, so the flag changes no value, but cuDNN refuses the backward of an RNN run in eval
     * mode, which the per-epoch diagnostics need (a forward without dropout, then backward).
     */
    static boolean rnnTraining(boolean training) {
        return training || ai.djl.pytorch.jni.JniUtils.isGradMode();
    }

    /** An LSTM block over {@code x}: its output sequence, through {@link org.mecam.engine.NoGradLstm}. */
    static NDArray lstm(ai.djl.nn.Block lstm, ai.djl.training.ParameterStore ps, NDArray x, boolean training) {
        return org.mecam.engine.NoGradLstm.compute(
                () -> lstm.forward(ps, new ai.djl.ndarray.NDList(x), rnnTraining(training)).head());
    }

    /** Moves an op's result (whose receiver was a parameter) into the batch's manager. */
    static NDArray into(NDManager manager, NDArray result) {
        result.attach(manager);
        return result;
    }

    /**
     * Mean over valid positions.
     *
     * @param x [B, L, D]
     * @param mask [B, L], 1 valid, 0 padding
     * @return [B, D]
     */
    public static NDArray maskedMean(NDArray x, NDArray mask) {
        NDArray summed = x.mul(mask.expandDims(2)).sum(new int[] {1}); // (B, D)
        NDArray count = mask.sum(new int[] {1}, true); // (B, 1)
        return summed.div(count);
    }

    /**
     * The state at each sequence's last valid position (what {@code pack_padded_sequence} gives).
     *
     * @param x [B, L, H]
     * @param last [B] int64, length - 1
     * @return [B, H]
     */
    public static NDArray gatherLast(NDArray x, NDArray last) {
        Shape s = x.getShape();
        NDArray index = last.reshape(s.get(0), 1, 1).broadcast(s.get(0), 1, s.get(2)); // (B, 1, H)
        return x.gather(index, 1).squeeze(1); // (B, H)
    }

    /** Row-wise L2 normalisation, x / sqrt(|x|^2 + 1e-12), smooth at 0. */
    public static NDArray l2Normalize(NDArray x) {
        NDArray norm = x.square().sum(new int[] {-1}, true).add(scalar(x, 1e-12)).sqrt();
        return x.div(norm);
    }

    /**
     * log(sum_j exp(x_ij) * mask_ij) per row, stabilised by the row maximum.
     *
     * @param x [B, N]
     * @param mask [B, N] of 0/1, or null for all ones
     * @return [B]
     */
    public static NDArray logSumExp(NDArray x, NDArray mask) {
        NDArray max = x.max(new int[] {1}, true).stopGradient(); // (B, 1)
        NDArray e = x.sub(max).exp();
        if (mask != null) {
            e = e.mul(mask);
        }
        return e.sum(new int[] {1}).log().add(max.squeeze(1));
    }

    /**
     * log det of symmetric positive-definite matrices by Gaussian elimination (Schur
     * complements), differentiable through autograd: DJL has no logdet or cholesky.
     *
     * @param a [..., d, d]
     * @return [...]
     */
    public static NDArray logDet(NDArray a) {
        long d = a.getShape().get(a.getShape().dimension() - 1);
        NDArray m = a;
        NDList logs = new NDList();
        for (long k = 0; k < d; k++) {
            NDArray pivot = m.get(new NDIndex("..., 0:1, 0:1")); // (..., 1, 1)
            logs.add(pivot.log());
            if (k < d - 1) {
                NDArray col = m.get(new NDIndex("..., 1:, 0:1")); // (..., r, 1)
                NDArray row = m.get(new NDIndex("..., 0:1, 1:")); // (..., 1, r)
                m = m.get(new NDIndex("..., 1:, 1:")).sub(col.matMul(row).div(pivot)); // (..., r, r)
            }
        }
        return NDArrays.concat(logs, -1).sum(new int[] {-2, -1});
    }

    /**
     * Biased covariance of the rows, mean of outer products as in MMIM.
     *
     * @param x [n, d]
     * @return [d, d]
     */
    public static NDArray covariance(NDArray x) {
        NDArray centered = x.sub(x.mean(new int[] {0}, true)); // (n, d)
        return centered.transpose().matMul(centered).div(scalar(x, x.getShape().get(0)));
    }
}
