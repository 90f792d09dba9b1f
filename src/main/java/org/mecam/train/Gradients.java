package org.mecam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.mecam.engine.NativeArrays;
import org.mecam.engine.NoGrad;

/** Gradient utilities: global-norm clipping ({@code clip_grad_norm_}) and zeroing. */
public final class Gradients {

    private Gradients() {}

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm},
     * exactly as {@code torch.nn.utils.clip_grad_norm_} (coefficient maxNorm / (norm + 1e-6),
     * clamped to 1); DJL's {@code optClipGrad} clips each value instead. Nothing is read back:
     * the norm and the coefficient are computed on the gradients' device, in float64 from the
     * float32 sum of squares (the same clipped gradients, bit for bit, as computing them on the
     * host; a factor of 1 changes no value).
     *
     * @param out the manager the returned norm goes to
     * @return the global norm before clipping, a float64 scalar on the device (0 when no parameter
     *     has a gradient)
     */
    public static NDArray clipGlobalNorm(List<Parameter> parameters, double maxNorm, NDManager out) {
        try (NoGrad ignored = NoGrad.enter(); NDManager tmp = out.newSubManager()) {
            NDList grads = gradients(parameters, tmp);
            if (grads.isEmpty()) {
                return out.zeros(new Shape(), DataType.FLOAT64);
            }
            NDArray norm = NDArrays.stack(squares(grads)).sum().toType(DataType.FLOAT64, false).sqrt();
            NDArray coefficient = NativeArrays.scalar(tmp, maxNorm, DataType.FLOAT64)
                    .div(norm.add(NativeArrays.scalar(tmp, 1e-6, DataType.FLOAT64)));
            NDArray factor = coefficient.minimum(NativeArrays.scalar(tmp, 1.0, DataType.FLOAT64))
                    .toType(DataType.FLOAT32, false);
            for (NDArray g : grads) {
                g.muli(factor);
            }
            norm.attach(out);
            return norm;
        }
    }

    /** @return the global L2 norm of the parameters' current gradients (0 when none has one) */
    public static double norm(List<Parameter> parameters, NDManager manager) {
        try (NoGrad ignored = NoGrad.enter(); NDManager tmp = manager.newSubManager()) {
            NDList squares = squares(gradients(parameters, tmp));
            return squares.isEmpty() ? 0 : Math.sqrt(NDArrays.stack(squares).sum().getFloat());
        }
    }

    /** @return the parameters' gradients (those that have one), attached to {@code tmp} */
    private static NDList gradients(List<Parameter> parameters, NDManager tmp) {
        NDList grads = new NDList();
        for (Parameter p : parameters) {
            PtNDArray g = JniUtils.getGradient((PtNDArray) p.getArray());
            if (g != null) {
                g.attach(tmp);
                grads.add(g);
            }
        }
        return grads;
    }

    /** @return each gradient's sum of squares (float32 scalars) */
    private static NDList squares(NDList grads) {
        NDList squares = new NDList();
        for (NDArray g : grads) {
            squares.add(g.square().sum());
        }
        return squares;
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
