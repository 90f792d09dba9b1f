package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.engine.NoGrad;

/** Padding never leaks: LSTM final states, masked means and cross-attention ignore padded positions. */
@ExtendWith(NDManagerExtension.class)
class OpsAndSequenceTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    @Test
    void lstmFinalStateEqualsRunningOnTheTruncatedSequence() {
        SequenceEncoder enc = SequenceEncoder.builder().hidden(6).out(4).dropout(0).build();
        enc.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        enc.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        enc.initialize(manager, DataType.FLOAT32, new Shape(2, 9, 3), new Shape(2));
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
            NDArray x = m.randomNormal(new Shape(2, 9, 3));
            NDArray padded = enc.forward(ps, new NDList(x, m.create(new long[] {3, 8})), false).get(1);
            NDArray first = enc.forward(ps, new NDList(x.get(new NDIndex("0:1, 0:4, :")), m.create(new long[] {3})), false).get(1);
            NDArray second = enc.forward(ps, new NDList(x.get(new NDIndex("1:2, :, :")), m.create(new long[] {8})), false).get(1);
            float[] p = padded.toFloatArray();
            float[] a = first.toFloatArray();
            float[] b = second.toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertEquals(a[k], p[k], 1e-6, "sample 0 (4 valid of 9 frames)");
                assertEquals(b[k], p[4 + k], 1e-6, "sample 1 (9 valid frames)");
            }
            NDArray noisyPadding = x.duplicate();
            noisyPadding.set(new NDIndex("0, 4:, :"), 100f);
            NDArray again = enc.forward(ps, new NDList(noisyPadding, m.create(new long[] {3, 8})), false).get(1);
            assertArrayEquals(p, again.toFloatArray(), 1e-6f, "padding content must not change the final state");
        }
    }

    @Test
    void attentionIgnoresPaddingContent() {
        for (String kernel : AttentionKernel.MODES) {
          for (boolean bidirectional : new boolean[] {false, true}) {
            TalkingHeadsCrossAttention att = TalkingHeadsCrossAttention.builder().heads(2).headDim(4).out(3).textDim(5)
                    .bidirectional(bidirectional).dropout(0).build();
            att.kernel(kernel);
            att.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            att.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
            att.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
            att.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
            att.initialize(manager, DataType.FLOAT32, new Shape(2, 6, 4), new Shape(2, 6), new Shape(2, 5, 5), new Shape(2, 5));
            ParameterStore ps = new ParameterStore(manager, false);
            try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
                NDArray frames = m.randomNormal(new Shape(2, 6, 4));
                NDArray text = m.randomNormal(new Shape(2, 5, 5));
                NDArray frameMask = m.create(new float[] {1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
                NDArray textMask = m.create(new float[] {1, 1, 0, 0, 0, 1, 1, 1, 1, 0}, new Shape(2, 5));
                TalkingHeadsCrossAttention.Result base = att.attend(ps, frames, frameMask, text, textMask, false, true);
                NDArray frames2 = frames.duplicate();
                frames2.set(new NDIndex("0, 3:, :"), 50f);
                NDArray text2 = text.duplicate();
                text2.set(new NDIndex("0, 2:, :"), -30f);
                text2.set(new NDIndex("1, 4, :"), 70f);
                TalkingHeadsCrossAttention.Result changed = att.attend(ps, frames2, frameMask, text2, textMask, false, true);
                assertArrayEquals(base.fused().toFloatArray(), changed.fused().toFloatArray(), 1e-5f);
                if (bidirectional) {
                    assertArrayEquals(base.textResidual().toFloatArray(), changed.textResidual().toFloatArray(), 1e-5f);
                }
                float[] w = base.weights().get(new NDIndex("0, :, 0, 2:")).toFloatArray();
                for (float v : w) {
                    assertEquals(0f, v, 1e-6f, "padded text keys get no attention weight (" + kernel + ")");
                }
            }
          }
        }
    }

    @Test
    void maskedMeanGatherLastAndNormalize() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, new Shape(2, 3, 2));
            NDArray mask = m.create(new float[] {1, 1, 0, 1, 0, 0}, new Shape(2, 3));
            assertArrayEquals(new float[] {2, 3, 7, 8}, Ops.maskedMean(x, mask).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {3, 4, 7, 8}, Ops.gatherLast(x, m.create(new long[] {1, 0})).toFloatArray(), 1e-6f);
            float[] n = Ops.l2Normalize(m.create(new float[] {3, 4, 0, 0}, new Shape(2, 2))).toFloatArray();
            assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, n, 1e-6f);
        }
    }
}
