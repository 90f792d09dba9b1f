package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;

/**
 * The kit's dropout masks: the documented stream, the same masks made inline or ahead and
 * across chunk boundaries, libtorch's scaling, the gradient of {@code x * mask}; and
 * {@code libtorch} mode equal to DJL's dropout bit for bit.
 */
@ExtendWith(NDManagerExtension.class)
class DropoutMasksTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    private static final Shape[] SHAPES = {new Shape(7, 13), new Shape(300), new Shape(50, 50, 3), new Shape(1),
        new Shape(32, 8, 5, 5), new Shape(999), new Shape(32, 8, 50, 50)};

    private static List<float[]> draw(DropoutMasks masks, float rate) {
        List<float[]> out = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            for (int r = 0; r < 3; r++) {
                for (Shape s : SHAPES) {
                    NDArray mask = masks.next(m, s, rate);
                    assertEquals(s, mask.getShape());
                    assertEquals(m, mask.getManager(), "the mask belongs to the caller's manager");
                    out.add(mask.toFloatArray());
                }
            }
        }
        return out;
    }

    @Test
    void theMasksDependOnlyOnTheSeedAndRateNotOnChunksOrTheThreadThatMadeThem() {
        List<List<float[]>> runs = new ArrayList<>();
        // 0: the default, chunks sized by the largest mask so far; else chunks of that size
        for (Object[] setup : new Object[][] {{false, 0}, {true, 0}, {false, DropoutMasks.CHUNK}, {false, 1000},
                {true, 4096}, {true, 2050}}) {
            try (DropoutMasks masks = new DropoutMasks()) {
                masks.use(DropoutMasks.KIT, 1111, (Boolean) setup[0]);
                if ((Integer) setup[1] > 0) {
                    masks.chunkSize((Integer) setup[1]);
                }
                runs.add(draw(masks, 0.1f));
            }
        }
        for (List<float[]> run : runs.subList(1, runs.size())) {
            for (int i = 0; i < run.size(); i++) {
                assertArrayEquals(runs.get(0).get(i), run.get(i), "site " + i);
            }
        }
        try (DropoutMasks other = new DropoutMasks()) {
            other.use(DropoutMasks.KIT, 1112, false);
            assertFalse(java.util.Arrays.equals(runs.get(0).get(2), draw(other, 0.1f).get(2)), "another seed, other masks");
        }
        try (DropoutMasks otherRate = new DropoutMasks()) {
            otherRate.use(DropoutMasks.KIT, 1111, false);
            float[] a = draw(otherRate, 0.3f).get(2);
            for (float v : a) {
                assertTrue(v == 0f || v == 1f / (float) (1.0 - 0.3f), "rate 0.3: " + v);
            }
        }
    }

    @Test
    void elementIOfAStreamIsItsDocumentedDrawKeptBelowTheThresholdAndScaledAsLibtorchScales() {
        float rate = 0.1f;
        long key = DropoutMasks.key(1111, rate);
        float[] values = new float[1 << 20];
        DropoutMasks.fill(values, key, 0, rate);
        float scale = 1f / 0.9f;
        assertEquals(1.1111112f, scale);
        assertEquals(scale, DropoutMasks.scale(rate));
        assertEquals(15099494, DropoutMasks.threshold(rate));
        int kept = 0;
        for (int i = 0; i < values.length; i++) {
            long r = DropoutMasks.mix(key + (i / 2) * 0x9e3779b97f4a7c15L);
            long draw = i % 2 == 0 ? r >>> 40 : (r >>> 8) & 0xffffff;
            assertEquals(draw < 15099494 ? scale : 0f, values[i], "element " + i);
            kept += values[i] != 0f ? 1 : 0;
        }
        double share = kept / (double) values.length;
        double sd = Math.sqrt(0.9 * 0.1 / values.length);
        assertTrue(Math.abs(share - 0.9) < 5 * sd, "kept " + share + " of the elements");
        float[] tail = new float[1001];
        DropoutMasks.fill(tail, key, 1000, rate);
        assertArrayEquals(java.util.Arrays.copyOfRange(values, 1000, 2001), tail, "any even start continues the stream");
    }

    @Test
    void kitDropoutIsXTimesItsMaskWithThatGradientAfterCollectionsAndTheInputInEvaluation() {
        MaskedDropout dropout = new MaskedDropout(0.1);
        try (DropoutMasks masks = new DropoutMasks(); DropoutMasks same = new DropoutMasks();
                NDManager m = manager.newSubManager()) {
            masks.use(DropoutMasks.KIT, 5, false);
            same.use(DropoutMasks.KIT, 5, false);
            MaskedDropout.bind(dropout, masks);
            NDArray x = m.randomNormal(new Shape(16, 40));
            x.setRequiresGradient(true);
            ParameterStore ps = new ParameterStore(m, false);
            float[] expectedMask = same.next(m, x.getShape(), 0.1f).toFloatArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = dropout.forward(ps, new NDList(x), true).head();
                float[] xs = x.toFloatArray();
                float[] ys = y.toFloatArray();
                for (int i = 0; i < xs.length; i++) {
                    assertEquals(xs[i] * expectedMask[i], ys[i], "element " + i);
                }
                System.gc();
                System.gc();
                gc.backward(y.sum());
            }
            assertArrayEquals(expectedMask, x.getGradient().toFloatArray(), "d(x * mask)/dx = mask");
            NDArray z = dropout.forward(ps, new NDList(x), false).head();
            assertArrayEquals(x.toFloatArray(), z.toFloatArray(), "evaluation: the input");
        }
    }

    @Test
    void libtorchModeIsDjlsDropoutBitForBit() {
        MaskedDropout dropout = new MaskedDropout(0.25);
        try (DropoutMasks masks = new DropoutMasks(); NDManager m = manager.newSubManager()) {
            masks.use(DropoutMasks.LIBTORCH, 5, true);
            MaskedDropout.bind(dropout, masks);
            NDArray x = m.randomNormal(new Shape(64, 33));
            ParameterStore ps = new ParameterStore(m, false);
            Engine.getInstance().setRandomSeed(42);
            float[] djl = Dropout.dropout(x, 0.25f, true).head().toFloatArray();
            Engine.getInstance().setRandomSeed(42);
            float[] kit = dropout.forward(ps, new NDList(x), true).head().toFloatArray();
            assertArrayEquals(djl, kit);
            MaskedDropout unbound = new MaskedDropout(0.25);
            Engine.getInstance().setRandomSeed(42);
            assertArrayEquals(djl, unbound.forward(ps, new NDList(x), true).head().toFloatArray(),
                    "a block outside a model uses libtorch's masks");
        }
    }
}
