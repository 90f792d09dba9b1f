package org.mecam.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;

/** Adam with groups, global-norm clipping and reduce-on-plateau against torch's formulas. */
@ExtendWith(NDManagerExtension.class)
class OptimizationTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    static Parameter parameter(String name, float... values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optArray(manager.create(values)).build();
        p.getArray().setRequiresGradient(true);
        return p;
    }

    /** Sets the gradient of each parameter to the given values (by backward of sum(w * c)). */
    static void gradients(List<Parameter> ps, float[]... grads) {
        try (NDManager m = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (int i = 0; i < ps.size(); i++) {
                NDArray term = ps.get(i).getArray().mul(m.create(grads[i])).sum();
                term.attach(m);
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    /** torch.optim.Adam's single-tensor update, in double precision. */
    static double[] torchAdam(double[] w, double[][] grads, double lr, double wd) {
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        double[] out = w.clone();
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < w.length; i++) {
                double g = grads[t - 1][i] + wd * out[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double bc1 = 1 - Math.pow(0.9, t);
                double bc2 = 1 - Math.pow(0.999, t);
                out[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + 1e-8);
            }
        }
        return out;
    }

    @Test
    void adamMatchesTorchPerGroup() {
        Parameter a = parameter("a", 1f, -2f);
        Parameter b = parameter("b", 0.5f);
        AdamOptimizer adam = new AdamOptimizer(manager, List.of(
                new AdamOptimizer.Group("fast", List.of(a), 0.1, 0.01),
                new AdamOptimizer.Group("slow", List.of(b), 0.001, 0)));
        float[][] ga = {{0.5f, 1f}, {-1f, 0.25f}, {2f, -3f}};
        float[][] gb = {{4f}, {4f}, {-0.1f}};
        for (int t = 0; t < 3; t++) {
            gradients(List.of(a, b), ga[t], gb[t]);
            adam.step();
        }
        double[] wantA = torchAdam(new double[] {1, -2}, toDouble(ga), 0.1, 0.01);
        double[] wantB = torchAdam(new double[] {0.5}, toDouble(gb), 0.001, 0);
        assertArrayEquals(toFloat(wantA), a.getArray().toFloatArray(), 1e-6f);
        assertArrayEquals(toFloat(wantB), b.getArray().toFloatArray(), 1e-6f);
        assertEquals(3, adam.steps());
        adam.close();
    }

    /**
     * A group whose parameters all have gradients is updated in one flat pass; one where some
     * parameter has none, parameter by parameter, on views of the same flat moments. Both give
     * the same bits, also when a group goes from one way to the other (its third parameter gets
     * a gradient only from the second step on), with weight decay and with the device's finite flag.
     */
    @Test
    void theFlatUpdateGivesTheBitsOfTheUpdateParameterByParameter() {
        float[][] init = {{1f, -2f, 0.3f, 4f, -0.5f, 0.25f}, {0.5f, 7f, -1f, 0.125f}, {3f}};
        Parameter[] flat = new Parameter[3];
        Parameter[] each = new Parameter[4];
        for (int i = 0; i < 3; i++) {
            flat[i] = parameter("f" + i, init[i]);
            each[i] = parameter("e" + i, init[i]);
        }
        each[3] = parameter("never", 9f); // never has a gradient: its group is updated parameter by parameter
        for (boolean withOk : new boolean[] {false, true}) {
            AdamOptimizer a = new AdamOptimizer(manager, List.of(new AdamOptimizer.Group("g", List.of(flat), 0.01, 0.02)));
            AdamOptimizer b = new AdamOptimizer(manager, List.of(new AdamOptimizer.Group("g", List.of(each), 0.01, 0.02)));
            java.util.Random r = new java.util.Random(withOk ? 2 : 1);
            for (int t = 0; t < 4; t++) {
                int used = t == 0 && !withOk ? 2 : 3;
                float[][] g = new float[used][];
                for (int i = 0; i < used; i++) {
                    g[i] = new float[init[i].length];
                    for (int j = 0; j < g[i].length; j++) {
                        g[i][j] = (float) r.nextGaussian();
                    }
                }
                gradients(List.of(flat).subList(0, used), g);
                gradients(List.of(each).subList(0, used), g);
                try (NDManager m = manager.newSubManager()) {
                    NDArray ok = withOk ? m.create(true) : null;
                    a.step(ok);
                    b.step(ok);
                }
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(each[i].getArray().toFloatArray(), flat[i].getArray().toFloatArray(), 0f,
                            "parameter " + i + " after step " + (t + 1) + (withOk ? " with the finite flag" : ""));
                }
            }
            assertArrayEquals(new float[] {9f}, each[3].getArray().toFloatArray(), 0f);
            a.close();
            b.close();
        }
    }

    @Test
    void clippingScalesAllGradientsByTheGlobalNorm() {
        Parameter a = parameter("a", 0f, 0f);
        Parameter b = parameter("b", 0f);
        gradients(List.of(a, b), new float[] {3f, 0f}, new float[] {4f});
        double norm = Gradients.clipGlobalNorm(List.of(a, b), 1.0, manager).getDouble();
        assertEquals(5.0, norm, 1e-6);
        assertArrayEquals(new float[] {0.6f, 0f}, a.getArray().getGradient().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.8f}, b.getArray().getGradient().toFloatArray(), 1e-6f);
        gradients(List.of(a, b), new float[] {0.1f, 0f}, new float[] {0.1f});
        Gradients.zero(List.of(a, b));
        gradients(List.of(a, b), new float[] {0.3f, 0f}, new float[] {0.4f});
        assertEquals(0.5, Gradients.clipGlobalNorm(List.of(a, b), 1.0, manager).getDouble(), 1e-6, "zeroed, then 0.3/0.4");
        assertArrayEquals(new float[] {0.3f, 0f}, a.getArray().getGradient().toFloatArray(), 1e-6f, "below the limit: unchanged");
    }

    @Test
    void plateauReducesAfterPatienceEpochsWithoutRelativeImprovement() {
        AdamOptimizer.Group g = new AdamOptimizer.Group("main", List.of(), 1e-3, 0);
        ReduceLrOnPlateau plateau = new ReduceLrOnPlateau(List.of(g), 2, 0.5);
        assertFalse(plateau.step(1.0));
        assertFalse(plateau.step(0.99995), "an improvement below the 1e-4 relative threshold is not one");
        assertFalse(plateau.step(1.2));
        assertTrue(plateau.step(1.1), "third bad epoch > patience 2");
        assertEquals(5e-4, g.learningRate(), 1e-12);
        assertFalse(plateau.step(0.5));
        assertEquals(5e-4, g.learningRate(), 1e-12);
    }

    private static double[][] toDouble(float[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = new double[a[i].length];
            for (int k = 0; k < a[i].length; k++) {
                out[i][k] = a[i][k];
            }
        }
        return out;
    }

    private static float[] toFloat(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }

    @Test
    void zeroOnAParameterWithoutGradientIsHarmless() {
        Parameter c = parameter("c", 1f);
        Gradients.zero(List.of(c));
        assertEquals(0.0, Gradients.clipGlobalNorm(List.of(c), 1.0, manager).getDouble(), 1e-12);
        assertArrayEquals(new float[] {1f}, c.getArray().toFloatArray());
        assertTrue(new Shape(1).equals(c.getArray().getShape()));
    }

    /**
     * The clip computed on the device equals, bit for bit, the host computation it replaced (the
     * reference below: the float32 sum of squares read back, norm and coefficient in Java
     * doubles, gradients multiplied only when the coefficient is below 1), for norms above and
     * below the bound and a bound that is no float (0.3).
     */
    @Test
    void clippingOnTheDeviceEqualsClippingOnTheHost() {
        float[][] grads = {{0.3f, -0.4f, 1e-3f}, {2.5f, 0.1f}};
        for (double maxNorm : new double[] {0.3, 1.0, 10.0}) {
            try (NDManager m = manager.newSubManager()) {
                List<Parameter> host = List.of(parameter("a", 1, 2, 3), parameter("b", 4, 5));
                List<Parameter> device = List.of(parameter("a", 1, 2, 3), parameter("b", 4, 5));
                gradients(host, grads);
                gradients(device, grads);
                double hostNorm = hostClip(host, maxNorm, m);
                NDArray deviceNorm = Gradients.clipGlobalNorm(device, maxNorm, m);
                assertEquals(DataType.FLOAT64, deviceNorm.getDataType());
                assertEquals(hostNorm, deviceNorm.getDouble(), "norm, max " + maxNorm);
                for (int i = 0; i < 2; i++) {
                    assertArrayEquals(host.get(i).getArray().getGradient().toFloatArray(),
                            device.get(i).getArray().getGradient().toFloatArray(), "max " + maxNorm);
                }
            }
        }
    }

    /** The kit's clip before it moved to the device, which read the norm back. */
    private static double hostClip(List<Parameter> parameters, double maxNorm, NDManager m) {
        NDList squares = new NDList();
        for (Parameter p : parameters) {
            NDArray g = p.getArray().getGradient();
            g.attach(m);
            squares.add(g.square().sum());
        }
        double norm = Math.sqrt(NDArrays.stack(squares).sum().getFloat());
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            for (Parameter p : parameters) {
                p.getArray().getGradient().muli(coefficient); // a float64 scalar, rounded to float32 by the op
            }
        }
        return norm;
    }

    /**
     * Adam with device scalars matches torch's update as before (OptimizationTest); a step
     * whose flag is false leaves weights and moments as they are even with NaN gradients, so
     * that the next good step equals that of an optimizer that never saw the skipped one (but
     * counted it).
     */
    @Test
    void aSkippedAdamStepLeavesWeightsAndMoments() {
        try (NDManager m = manager.newSubManager()) {
            Parameter a = parameter("a", 1, -2, 3);
            Parameter b = parameter("b", 1, -2, 3);
            AdamOptimizer skipping = new AdamOptimizer(m, List.of(new AdamOptimizer.Group("g", List.of(a), 0.1, 0.01)));
            AdamOptimizer plain = new AdamOptimizer(m, List.of(new AdamOptimizer.Group("g", List.of(b), 0.1, 0.01)));
            NDArray yes = m.create(true);
            NDArray no = m.create(false);
            gradients(List.of(a), new float[] {0.5f, 0.25f, -1f});
            gradients(List.of(b), new float[] {0.5f, 0.25f, -1f});
            skipping.step(yes);
            plain.step();
            assertArrayEquals(b.getArray().toFloatArray(), a.getArray().toFloatArray(), "a flag of true is a plain step");
            float[] kept = a.getArray().toFloatArray();
            gradients(List.of(a), new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1f});
            TestSupport.forceGc();
            skipping.step(no);
            assertArrayEquals(kept, a.getArray().toFloatArray(), "skipped");
            PtNDArray left = JniUtils.getGradient((PtNDArray) a.getArray());
            if (left != null) {
                assertArrayEquals(new float[3], left.toFloatArray(), "gradients zeroed after a skip");
                left.close();
            }
            // the reference: the same moments, its step count advanced by the skipped step
            plain.step(no);
            gradients(List.of(a), new float[] {-0.5f, 1f, 2f});
            gradients(List.of(b), new float[] {-0.5f, 1f, 2f});
            skipping.step(yes);
            plain.step(yes);
            assertArrayEquals(b.getArray().toFloatArray(), a.getArray().toFloatArray());
            for (float w : a.getArray().toFloatArray()) {
                assertTrue(Float.isFinite(w));
            }
            assertEquals(new Shape(), yes.getShape());
        }
    }
}
