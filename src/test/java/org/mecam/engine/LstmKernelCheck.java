package org.mecam.engine;

import ai.djl.ndarray.NDManager;

/**
 * Starts the engine with the {@link LstmKernel} mode given as the argument and prints the LSTM
 * op's largest errors against the equations ({@link LstmKernelTest#errors}) at the kit's widths;
 * exit 0 when all are under 1e-5, 1 otherwise. {@link LstmKernelTest} runs it in a fresh JVM per
 * mode, since a JVM runs one mode.
 */
public final class LstmKernelCheck {

    private LstmKernelCheck() {}

    public static void main(String[] args) {
        NativeRuntime.Info info = NativeRuntime.start(1, null, args[0]);
        boolean ok = true;
        StringBuilder line = new StringBuilder("lstmKernel " + info.lstmKernel() + ": " + info.onednn() + ";");
        try (NDManager m = NDManager.newBaseManager()) {
            for (int hidden : new int[] {4, 16, 32, 128}) {
                float[] e = LstmKernelTest.errors(m, hidden);
                line.append(String.format(" hidden %d off by %.2e / %.2e (no grad / grad)", hidden, e[0], e[1]));
                ok &= e[0] < 1e-5 && e[1] < 1e-5;
            }
        }
        System.out.println(line);
        System.exit(ok ? 0 : 1);
    }
}
