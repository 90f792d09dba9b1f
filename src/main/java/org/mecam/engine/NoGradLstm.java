package org.mecam.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * How an LSTM is computed without autograd (stage 0, validation, test), as the run's {@link
 * LstmKernel} says. With {@code training}, oneDNN runs at the machine's full instruction set and
 * such an LSTM is computed with autograd on and its output detached, so that oneDNN's training
 * primitive, which is correct, computes it instead of its inference primitive, which libtorch
 * 2.7.1 gets wrong on AVX-512. With {@code capped} (oneDNN capped at AVX2), a libtorch of the
 * user's own or {@code MECAM_ONEDNN_CAP=off}, it is libtorch's own choice. {@code LstmKernelTest}
 * checks both modes against the LSTM equations.
 */
public final class NoGradLstm {

    private static volatile boolean viaAutograd;

    private NoGradLstm() {}

    /** Sets whether LSTMs without autograd are computed with autograd on (set once, at engine start). */
    static void viaAutograd(boolean on) {
        viaAutograd = on;
    }

    /** @return true when LSTMs without autograd are computed with autograd on and detached */
    public static boolean viaAutograd() {
        return viaAutograd;
    }

    /** Computes {@code lstm} (its output sequence), as this class's mode says. */
    public static NDArray compute(Supplier<NDArray> lstm) {
        if (!viaAutograd || JniUtils.isGradMode()) {
            return lstm.get();
        }
        JniUtils.setGradMode(true);
        try {
            return lstm.get().stopGradient();
        } finally {
            JniUtils.setGradMode(false);
        }
    }
}
