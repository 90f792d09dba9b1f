package org.mecam.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mecam.NDManagerExtension;
import org.mecam.config.ConfigException;

/**
 * The matrix products agree with sums in double precision whichever MKL kernels this JVM runs
 * ({@link MklKernels}: on an AMD CPU with AVX-512, MKL's Intel AVX-512 kernels by default), at the
 * kit's shapes and at odd ones, with transposed operands; the mode is the one asked for and
 * cannot be switched inside a JVM where the modes differ.
 */
@ExtendWith(NDManagerExtension.class)
class MklKernelsTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    @Test
    void theDefaultModeIsAppliedWhereItChangesMklsChoice() {
        NativeRuntime.Info info = NativeRuntime.start();
        assertEquals(MklKernels.defaultMode(), info.mkl().mode(), "no test starts the engine with another mode");
        if (info.mkl().mode().equals("avx512") && MklKernels.wouldPatch()) {
            assertTrue(info.mkl().patched(), info.mkl().note());
            assertTrue(info.toMap().get("mkl").toString().startsWith("avx512 (MKL's Intel AVX-512 kernels"), info.mkl().note());
        } else {
            assertFalse(info.mkl().patched(), info.mkl().note());
        }
    }

    @Test
    void anotherModeInTheSameJvmIsRefusedWhereTheModesDiffer() {
        NativeRuntime.Info info = NativeRuntime.start();
        String other = info.mkl().mode().equals("avx512") ? "vendor" : "avx512";
        if (info.mkl().patched() || MklKernels.wouldPatch()) {
            ConfigException e = assertThrows(ConfigException.class, () -> NativeRuntime.start(info.intraOpThreads(), other, null));
            assertTrue(e.getMessage().startsWith("mklKernels: this run asks for MKL's " + other + " kernels"), e.getMessage());
        } else {
            assertEquals(info.mkl(), NativeRuntime.start(info.intraOpThreads(), other, null).mkl(), "the same kernels: no conflict");
        }
        assertEquals(info.mkl(), NativeRuntime.start(info.intraOpThreads(), info.mkl().mode(), null).mkl());
        assertThrows(ConfigException.class, () -> NativeRuntime.start(info.intraOpThreads(), "fast", null));
    }

    @ParameterizedTest(name = "{0}x{1} @ {1}x{2}, transposed {3}")
    @CsvSource({"1600, 128, 512, false", "1600, 512, 128, true", "37, 129, 65, false", "37, 129, 65, true",
        "32, 16, 16, false", "1, 300, 7, true"})
    void matrixProductsMatchDoubleSums(int n, int k, int m, boolean transposed) {
        NativeRuntime.start();
        try (NDManager s = manager.newSubManager()) {
            NDArray a = s.randomUniform(-1, 1, new Shape(n, k));
            NDArray b = transposed ? s.randomUniform(-1, 1, new Shape(m, k)).transpose() : s.randomUniform(-1, 1, new Shape(k, m));
            float[] got = a.matMul(b).toFloatArray();
            assertClose(reference(a.toFloatArray(), b.duplicate().toFloatArray(), 1, n, k, m), got, k);
        }
    }

    @Test
    void batchedProductsAtTheAttentionsShapesMatchDoubleSums() {
        NativeRuntime.start();
        try (NDManager s = manager.newSubManager()) {
            NDArray p = s.randomUniform(0, 1, new Shape(256, 50, 50));
            NDArray v = s.randomUniform(-1, 1, new Shape(32, 50, 8, 64)).transpose(0, 2, 1, 3).reshape(256, 50, 64);
            float[] got = p.transpose(0, 2, 1).matMul(v).toFloatArray(); // as in the backward: a transposed operand
            float[] pt = p.transpose(0, 2, 1).duplicate().toFloatArray();
            assertClose(reference(pt, v.toFloatArray(), 256, 50, 50, 64), got, 50);
            NDArray x = s.randomUniform(-1, 1, new Shape(32, 50, 128));
            NDArray w = s.randomUniform(-1, 1, new Shape(512, 128));
            NDArray bias = s.randomUniform(-1, 1, new Shape(512));
            float[] linear = ai.djl.nn.core.Linear.linear(x, w, bias).singletonOrThrow().toFloatArray(); // addmm
            double[] expected = reference(x.toFloatArray(), w.transpose().duplicate().toFloatArray(), 1, 32 * 50, 128, 512);
            float[] b = bias.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                expected[i] += b[i % 512];
            }
            assertClose(expected, linear, 128);
        }
    }

    /** @return C = A B for {@code batches} row-major n x k and k x m blocks, summed in double */
    private static double[] reference(float[] a, float[] b, int batches, int n, int k, int m) {
        double[] c = new double[batches * n * m];
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    double sum = 0;
                    for (int l = 0; l < k; l++) {
                        sum += (double) a[t * n * k + i * k + l] * b[t * k * m + l * m + j];
                    }
                    c[t * n * m + i * m + j] = sum;
                }
            }
        }
        return c;
    }

    /** Float sums of {@code k} products of values in [-1, 1]: within a few ulps of sqrt(k) each. */
    private static void assertClose(double[] expected, float[] got, int k) {
        assertEquals(expected.length, got.length);
        double tolerance = 1e-5 * k;
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - got[i]));
        }
        assertTrue(worst < tolerance, "largest error " + worst + " over " + got.length + " entries (tolerance " + tolerance + ")");
    }
}
