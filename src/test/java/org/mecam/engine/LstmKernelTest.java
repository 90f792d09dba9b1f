package org.mecam.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mecam.NDManagerExtension;
import org.mecam.config.ConfigException;

/**
 * libtorch's LSTM op agrees with the LSTM equations written out op by op (i, f, g, o gates;
 * c' = f c + i g; h' = o tanh c'), with and without autograd, at the widths the kit uses, in
 * this JVM's {@link LstmKernel} mode and, in a fresh JVM each ({@link LstmKernelCheck}), in both.
 *
 * <p>On an AVX-512 machine the bundled libtorch 2.7.1 (oneDNN 3.7.1) fails this without
 * autograd unless the LSTM is computed through autograd ({@code training}, {@link NoGradLstm}) or
 * oneDNN is capped at AVX2 ({@code capped}): run {@code LstmKernelCheck} with {@code
 * MECAM_ONEDNN_CAP=off} there to see it fail (errors of 0.01 to 0.7).
 */
@ExtendWith(NDManagerExtension.class)
class LstmKernelTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    @ParameterizedTest(name = "hidden {0}")
    @ValueSource(ints = {4, 16, 32, 128})
    void opMatchesTheEquations(int hidden) {
        float[] errors = errors(manager, hidden);
        assertTrue(errors[0] < 1e-5, "without autograd the LSTM op is off by " + errors[0]
                + " (oneDNN: " + NativeRuntime.start().onednn() + ")");
        assertTrue(errors[1] < 1e-5, "with autograd the LSTM op is off by " + errors[1]);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LstmKernel.TRAINING, LstmKernel.CAPPED})
    void eachModeMatchesTheEquationsInAFreshJvm(String mode) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LstmKernelCheck.class.getName(), mode);
        pb.environment().remove("MECAM_ONEDNN_CAP");
        pb.environment().remove("ONEDNN_MAX_CPU_ISA");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the check ends");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("lstmKernel " + mode + ":"), out);
    }

    @org.junit.jupiter.api.Test
    void anotherModeInTheSameJvmIsRefusedWhereTheModesDiffer() {
        NativeRuntime.Info info = NativeRuntime.start();
        assertEquals(LstmKernel.defaultMode(), info.lstmKernel(), "no test starts the engine with another mode");
        assertEquals(info.lstmKernel(), info.toMap().get("lstmKernel"));
        String other = info.lstmKernel().equals(LstmKernel.TRAINING) ? LstmKernel.CAPPED : LstmKernel.TRAINING;
        if (NativeRuntime.lstmModesDiffer()) {
            assertEquals(info.lstmKernel().equals(LstmKernel.TRAINING), NoGradLstm.viaAutograd(), info.onednn());
            ConfigException e = assertThrows(ConfigException.class, () -> NativeRuntime.start(info.intraOpThreads(), null, other));
            assertTrue(e.getMessage().startsWith("lstmKernel: this run asks for the " + other + " LSTM kernel"), e.getMessage());
        } else {
            assertEquals(info.lstmKernel(), NativeRuntime.start(info.intraOpThreads(), null, other).lstmKernel(),
                    "the modes compute alike here: no conflict, the JVM's mode stands");
        }
        assertEquals(info, NativeRuntime.start(info.intraOpThreads(), null, info.lstmKernel()));
        assertThrows(ConfigException.class, () -> NativeRuntime.start(info.intraOpThreads(), null, "fast"));
    }

    /** @return the largest errors against the equations without and with autograd, at {@code hidden} units */
    static float[] errors(NDManager manager, int hidden) {
        int batch = 3;
        int length = 7;
        int in = 5;
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(hidden);
            NDArray x = m.randomNormal(new Shape(batch, length, in));
            NDArray wih = m.randomUniform(-0.5f, 0.5f, new Shape(4L * hidden, in));
            NDArray whh = m.randomUniform(-0.5f, 0.5f, new Shape(4L * hidden, hidden));
            NDArray bih = m.randomUniform(-0.1f, 0.1f, new Shape(4L * hidden));
            NDArray bhh = m.randomUniform(-0.1f, 0.1f, new Shape(4L * hidden));
            NDArray expected = equations(x, wih, whh, bih, bhh, hidden);
            NDArray plain;
            try (NoGrad ignored = NoGrad.enter()) {
                plain = NoGradLstm.compute(() -> lstm(x, wih, whh, bih, bhh, hidden)); // as the encoders call it
            }
            NDArray withGrad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                wih.setRequiresGradient(true);
                withGrad = lstm(x, wih, whh, bih, bhh, hidden);
            }
            wih.setRequiresGradient(false);
            return new float[] {plain.sub(expected).abs().max().getFloat(), withGrad.sub(expected).abs().max().getFloat()};
        }
    }

    @org.junit.jupiter.api.Test
    void theAutogradPathGivesTheEquationsAndLeavesNoGraph() {
        boolean before = NoGradLstm.viaAutograd();
        try (NDManager m = manager.newSubManager()) {
            NoGradLstm.viaAutograd(true);
            Engine.getInstance().setRandomSeed(7);
            int hidden = 16;
            NDArray x = m.randomNormal(new Shape(2, 5, 3));
            NDArray wih = m.randomUniform(-0.5f, 0.5f, new Shape(4L * hidden, 3));
            NDArray whh = m.randomUniform(-0.5f, 0.5f, new Shape(4L * hidden, hidden));
            NDArray bih = m.randomUniform(-0.1f, 0.1f, new Shape(4L * hidden));
            NDArray bhh = m.randomUniform(-0.1f, 0.1f, new Shape(4L * hidden));
            wih.setRequiresGradient(true); // as a model's parameters do
            NDArray out;
            try (NoGrad ignored = NoGrad.enter()) {
                out = NoGradLstm.compute(() -> lstm(x, wih, whh, bih, bhh, hidden));
                assertTrue(!ai.djl.pytorch.jni.JniUtils.isGradMode(), "autograd is off again after the LSTM");
            }
            assertTrue(!out.hasGradient(), "detached: computed with autograd on from a weight that requires it");
            float error = out.sub(equations(x, wih.stopGradient(), whh, bih, bhh, hidden)).abs().max().getFloat();
            assertTrue(error < 1e-5, "the autograd path is off by " + error);
        } finally {
            NoGradLstm.viaAutograd(before);
        }
    }

    private static NDArray lstm(NDArray x, NDArray wih, NDArray whh, NDArray bih, NDArray bhh, int hidden) {
        NDManager m = x.getManager();
        Shape state = new Shape(1, x.getShape().get(0), hidden);
        NDList out = x.getNDArrayInternal().lstm(x, new NDList(m.zeros(state), m.zeros(state)),
                new NDList(wih, whh, bih, bhh), true, 1, 0, false, false, true);
        return out.get(0);
    }

    /** The equations, one time step at a time, with matMul, sigmoid and tanh only. */
    private static NDArray equations(NDArray x, NDArray wih, NDArray whh, NDArray bih, NDArray bhh, int hidden) {
        NDManager m = x.getManager();
        long batch = x.getShape().get(0);
        NDArray h = m.zeros(new Shape(batch, hidden));
        NDArray c = m.zeros(new Shape(batch, hidden));
        NDList outputs = new NDList();
        for (long t = 0; t < x.getShape().get(1); t++) {
            NDArray xt = x.get(new NDIndex(":, {}, :", t));
            NDArray z = xt.matMul(wih.transpose()).add(h.matMul(whh.transpose())).add(bih).add(bhh);
            NDList gates = z.split(4, 1);
            NDArray i = gates.get(0).getNDArrayInternal().sigmoid();
            NDArray f = gates.get(1).getNDArrayInternal().sigmoid();
            NDArray g = gates.get(2).tanh();
            NDArray o = gates.get(3).getNDArrayInternal().sigmoid();
            c = f.mul(c).add(i.mul(g));
            h = o.mul(c.tanh());
            outputs.add(h.expandDims(1));
        }
        return NDArrays.concat(outputs, 1);
    }
}
