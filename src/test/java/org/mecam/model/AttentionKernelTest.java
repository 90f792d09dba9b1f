package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;

/**
 * The two ways of computing the talking-heads cross-attention ({@link AttentionKernel}) give the
 * same outputs, attention weights and parameter gradients, up to float rounding: with and without
 * talking heads, one way and both ways, in evaluation and in training with the kit's dropout
 * masks (the same masks for both, since both lay the weights out alike), with padded frames and
 * tokens, and with garbage collections between forward and backward.
 */
@ExtendWith(NDManagerExtension.class)
class AttentionKernelTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    private static final int B = 4;
    private static final int LM = 9;
    private static final int DM = 5;
    private static final int LT = 6;
    private static final int DT = 7;

    private record Pass(List<float[]> outputs, Map<String, float[]> gradients) {}

    @Test
    void factoredEqualsDirect() {
        for (boolean talking : new boolean[] {true, false}) {
            for (boolean bidirectional : new boolean[] {false, true}) {
                for (boolean training : new boolean[] {false, true}) {
                    TalkingHeadsCrossAttention block = TalkingHeadsCrossAttention.builder().heads(3).headDim(4).out(2)
                            .textDim(DT).talkingHeads(talking).bidirectional(bidirectional).dropout(0.3).build();
                    block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
                    block.setInitializer(new NormalInitializer(0.3f), Parameter.Type.BIAS); // non-zero biases fold too
                    block.setInitializer(new NormalInitializer(0.3f), Parameter.Type.GAMMA);
                    block.setInitializer(new NormalInitializer(0.3f), Parameter.Type.BETA);
                    block.initialize(manager, DataType.FLOAT32, new Shape(B, LM, DM), new Shape(B, LM),
                            new Shape(B, LT, DT), new Shape(B, LT));
                    String what = "talking " + talking + ", bidirectional " + bidirectional + ", training " + training;
                    Pass direct = pass(block, AttentionKernel.DIRECT, training);
                    Pass factored = pass(block, AttentionKernel.FACTORED, training);
                    assertEquals(direct.outputs().size(), factored.outputs().size(), what);
                    for (int i = 0; i < direct.outputs().size(); i++) {
                        assertClose(direct.outputs().get(i), factored.outputs().get(i), what + ", output " + i);
                    }
                    assertEquals(direct.gradients().keySet(), factored.gradients().keySet(), what);
                    boolean anyNonZero = false;
                    for (Map.Entry<String, float[]> e : direct.gradients().entrySet()) {
                        float[] f = factored.gradients().get(e.getKey());
                        assertClose(e.getValue(), f, what + ", gradient of " + e.getKey());
                        for (float v : f) {
                            anyNonZero |= v != 0;
                        }
                    }
                    assertTrue(anyNonZero, what + ": some gradient is non-zero");
                }
            }
        }
    }

    /** Forward with {@code kernel}, outputs kept, then backward of a fixed weighting after a GC. */
    private static Pass pass(TalkingHeadsCrossAttention block, String kernel, boolean training) {
        block.kernel(kernel);
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().getArray().hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) p.getValue().getArray());
            }
        }
        try (DropoutMasks masks = new DropoutMasks(); NDManager m = manager.newSubManager()) {
            masks.use(DropoutMasks.KIT, 11, false);
            MaskedDropout.bind(block, masks);
            Engine.getInstance().setRandomSeed(3);
            NDArray frames = m.randomNormal(new Shape(B, LM, DM));
            NDArray frameMask = BlocksTest.mask(m, 9, 2, 5, 1);
            NDArray text = m.randomNormal(new Shape(B, LT, DT));
            NDArray textMask = BlocksTest.mask(m, 6, 6, 1, 3);
            List<float[]> outputs = new ArrayList<>();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                TalkingHeadsCrossAttention.Result r = block.attend(new ParameterStore(manager, false), frames, frameMask,
                        text, textMask, training, true);
                NDArray loss = r.fused().mul(m.randomNormal(r.fused().getShape())).sum();
                outputs.add(r.fused().toFloatArray());
                if (r.textResidual() != null) {
                    loss = loss.add(r.textResidual().mul(m.randomNormal(r.textResidual().getShape())).sum());
                    outputs.add(r.textResidual().toFloatArray());
                }
                outputs.add(r.weights().toFloatArray());
                TestSupport.forceGc();
                collector.backward(loss);
            }
            Map<String, float[]> gradients = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                PtNDArray g = JniUtils.getGradient((PtNDArray) p.getValue().getArray());
                gradients.put(p.getKey(), g.toFloatArray());
                g.close();
            }
            return new Pass(outputs, gradients);
        } finally {
            MaskedDropout.bind(block, null);
        }
    }

    /** Equal within float rounding: 2e-5 of the largest magnitude of either, or 1e-6. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        float scale = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.max(Math.abs(expected[i]), Math.abs(actual[i])));
            assertTrue(Float.isFinite(actual[i]), what + ": finite");
        }
        float tolerance = Math.max(1e-6f, 2e-5f * scale);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " [" + i + "]");
        }
    }
}
