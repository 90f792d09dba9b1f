package org.mecam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.mecam.engine.NoGrad;

/** Gradient utilities: global-norm clipping ({@code clip_grad_norm_}) and zeroing. */
public final class Gradients {

    private Gradients() {}

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm},
     * exactly as {@code torch.nn.utils.clip_grad_norm_} (coefficient maxNorm / (norm + 1e-6),
     * applied only when below 1). DJL's {@code optClipGrad} clips each value instead.
     *
     * @return the global norm before clipping (0 when no parameter has a gradient)
     */
    public static double clipGlobalNorm(List<Parameter> parameters, double maxNorm, NDManager manager) {
        try (NoGrad ignored = NoGrad.enter(); NDManager tmp = manager.newSubManager()) {
            NDList grads = new NDList();
            NDList squares = new NDList();
            for (Parameter p : parameters) {
                PtNDArray g = JniUtils.getGradient((PtNDArray) p.getArray());
                if (g != null) {
                    g.attach(tmp);
                    grads.add(g);
                    squares.add(g.square().sum());
                }
            }
            if (grads.isEmpty()) {
                return 0;
            }
            double norm = Math.sqrt(NDArrays.stack(squares).sum().getFloat());
            double coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1) {
                for (NDArray g : grads) {
                    g.muli(coefficient);
                }
            }
            return norm;
        }
    }

    /** @return the global L2 norm of the parameters' current gradients (0 when none has one) */
    public static double norm(List<Parameter> parameters, NDManager manager) {
        try (NoGrad ignored = NoGrad.enter(); NDManager tmp = manager.newSubManager()) {
            NDList squares = new NDList();
            for (Parameter p : parameters) {
                PtNDArray g = JniUtils.getGradient((PtNDArray) p.getArray());
                if (g != null) {
                    g.attach(tmp);
                    squares.add(g.square().sum());
                }
            }
            return squares.isEmpty() ? 0 : Math.sqrt(NDArrays.stack(squares).sum().getFloat());
        }
    }

    /** Zeroes the gradients of the given parameters (before a backward pass). */
    public static void zero(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            PtNDArray w = (PtNDArray) p.getArray();
            if (w.hasGradient()) {
                JniUtils.zeroGrad(w);
            }
        }
    }
}
