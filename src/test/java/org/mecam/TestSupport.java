package org.mecam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.engine.NativeRuntime;

/** Shared test helpers: engine start, small configs, and the gradient check under GC. */
public final class TestSupport {

    private TestSupport() {}

    /** Starts the engine with one intra-op thread (idempotent). */
    public static void start() {
        System.setProperty("java.awt.headless", "true");
        NativeRuntime.start(1);
    }

    /** @return the built-in tiny config with the given overrides ("key=value") */
    public static RunConfig tiny(String... overrides) {
        RunConfig c = ConfigJson.load("tiny");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            ConfigJson.setFromString(c, o.substring(0, eq), o.substring(eq + 1));
        }
        return c;
    }

    /** Frees Java-side buffers the way a long step would: collections and a pause for the cleaner. */
    public static void forceGc() {
        for (int i = 0; i < 3; i++) {
            byte[][] junk = new byte[16][];
            for (int k = 0; k < junk.length; k++) {
                junk[k] = new byte[4 << 20];
            }
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs forward and backward of {@code loss} twice, once with garbage collections between
     * forward and backward, and checks that every parameter of {@code block} gets the same finite
     * gradient both times and that at least one gradient is non-zero.
     *
     * @param manager parent manager
     * @param loss builds the scalar loss in the given batch manager
     * @return the gradients of the first run, by parameter name
     */
    public static Map<String, float[]> checkGradientsUnderGc(Block block, NDManager manager,
            Function<NDManager, NDArray> loss) {
        Map<String, float[]> plain = gradients(block, manager, loss, false);
        Map<String, float[]> collected = gradients(block, manager, loss, true);
        boolean anyNonZero = false;
        for (Map.Entry<String, float[]> e : plain.entrySet()) {
            for (float v : e.getValue()) {
                assertTrue(Float.isFinite(v), "non-finite gradient in " + e.getKey());
                anyNonZero |= v != 0;
            }
            assertArrayEquals(e.getValue(), collected.get(e.getKey()), 1e-5f,
                    "gradient of " + e.getKey() + " changed when a GC ran between forward and backward");
        }
        assertTrue(anyNonZero, "all gradients are zero");
        return plain;
    }

    private static Map<String, float[]> gradients(Block block, NDManager manager, Function<NDManager, NDArray> loss,
            boolean gc) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            params.add(p.getValue());
            if (p.getValue().getArray().hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) p.getValue().getArray());
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(5);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.apply(m);
                assertEquals(0, value.getShape().dimension(), "loss must be a scalar");
                if (gc) {
                    forceGc();
                }
                collector.backward(value);
            }
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (!p.getValue().getArray().hasGradient()) {
                    continue;
                }
                PtNDArray g = JniUtils.getGradient((PtNDArray) p.getValue().getArray());
                out.put(p.getKey(), g == null ? new float[0] : g.toFloatArray());
                if (g != null) {
                    g.close();
                }
            }
        }
        return out;
    }

    /**
     * @return a random weighting of all outputs' elements summed, as the scalar a gradient
     *     check back-propagates (a plain sum has zero gradient through softmax or LayerNorm)
     */
    public static NDArray weightedSum(NDList outputs) {
        NDArray s = null;
        for (NDArray a : outputs) {
            NDArray w = a.getManager().randomNormal(a.getShape());
            NDArray v = a.mul(w).sum();
            s = s == null ? v : s.add(v);
        }
        return s;
    }
}
