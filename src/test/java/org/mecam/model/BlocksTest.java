package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.BertSize;
import org.mecam.config.Positives;
import org.mecam.config.TextEncoderKind;

/**
 * Every block: output shapes match {@code getOutputShapes}, and every parameter gets the same
 * finite gradient whether or not garbage collections run between forward and backward.
 */
@ExtendWith(NDManagerExtension.class)
class BlocksTest {

    @NDManagerExtension.Managed
    static NDManager manager;
    static final int B = 4;

    static <T extends Block> T init(T block, Shape... shapes) {
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        block.initialize(manager, DataType.FLOAT32, shapes);
        return block;
    }

    static NDArray mask(NDManager m, int... lengths) {
        int len = 0;
        for (int l : lengths) {
            len = Math.max(len, l);
        }
        float[] v = new float[lengths.length * len];
        for (int i = 0; i < lengths.length; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                v[i * len + t] = 1;
            }
        }
        return m.create(v, new Shape(lengths.length, len));
    }

    static NDArray last(NDManager m, int... lengths) {
        long[] v = new long[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            v[i] = lengths[i] - 1;
        }
        return m.create(v);
    }

    /** Checks shapes against getOutputShapes, then gradients under GC. */
    static void check(Block block, Function<NDManager, NDList> inputs) {
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager m = manager.newSubManager()) {
            NDList in = inputs.apply(m);
            NDList out = block.forward(ps, in, false);
            Shape[] expected = block.getOutputShapes(in.getShapes());
            assertEquals(expected.length, out.size(), "number of outputs");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], out.get(i).getShape(), "shape of output " + i);
            }
        }
        TestSupport.checkGradientsUnderGc(block, manager,
                m -> TestSupport.weightedSum(block.forward(new ParameterStore(manager, false), inputs.apply(m), false)));
    }

    @Test
    void sequenceEncoder() {
        SequenceEncoder block = init(SequenceEncoder.builder().hidden(16).out(8).dropout(0.1).build(),
                new Shape(B, 7, 5), new Shape(B));
        check(block, m -> new NDList(m.randomNormal(new Shape(B, 7, 5)), last(m, 7, 3, 5, 1)));
    }

    @Test
    void featureTextEncoderLstm() {
        FeatureTextEncoder block = init(FeatureTextEncoder.builder().dim(16).kind(TextEncoderKind.LSTM).build(),
                new Shape(B, 6, 12), new Shape(B, 6), new Shape(B));
        check(block, m -> new NDList(m.randomNormal(new Shape(B, 6, 12)), mask(m, 6, 2, 4, 3), last(m, 6, 2, 4, 3)));
    }

    @Test
    void featureTextEncoderTransformer() {
        FeatureTextEncoder block = init(FeatureTextEncoder.builder().dim(16).kind(TextEncoderKind.TRANSFORMER).build(),
                new Shape(B, 6, 12), new Shape(B, 6), new Shape(B));
        check(block, m -> new NDList(m.randomNormal(new Shape(B, 6, 12)), mask(m, 6, 2, 4, 3), last(m, 6, 2, 4, 3)));
    }

    @Test
    void transformerLayer() {
        TransformerLayer block = init(TransformerLayer.builder().dim(8).heads(2).ffn(16).build(),
                new Shape(B, 5, 8), new Shape(B, 1, 1, 5));
        check(block, m -> new NDList(m.randomNormal(new Shape(B, 5, 8)),
                TransformerLayer.maskBias(mask(m, 5, 5, 2, 3))));
    }

    @Test
    void bertEncoder() {
        BertEncoder block = init(BertEncoder.builder().size(BertSize.TINY).vocabSize(30).maxLength(16).build(),
                new Shape(B, 6), new Shape(B, 6), new Shape(B));
        check(block, m -> new NDList(m.randomInteger(0, 30, new Shape(B, 6), DataType.INT64),
                mask(m, 6, 3, 4, 1), last(m, 6, 3, 4, 1)));
    }

    @Test
    void contrastiveLoss() {
        IntraModalContrastiveLoss block = init(IntraModalContrastiveLoss.create(6, 0.1), new Shape(B, 5));
        for (boolean excludeSelf : new boolean[] {false, true}) {
            Function<NDManager, NDList> in = m -> {
                ContrastTargets t = ContrastTargets.of(m, new float[] {1.2f, 0.8f, -2f, -2.2f}, Positives.CLASS7,
                        excludeSelf, 0.8);
                NDList list = new NDList(m.randomNormal(new Shape(B, 5)), t.positiveBias(), t.negativeScale(),
                        t.rowWeight());
                if (t.selfBias() != null) {
                    list.add(t.selfBias());
                }
                return list;
            };
            check(block, in);
        }
    }

    @Test
    void mmilb() {
        Mmilb block = init(Mmilb.create(8), new Shape(B, 6), new Shape(B, 8));
        check(block, m -> new NDList(m.randomNormal(new Shape(B, 6)), m.randomNormal(new Shape(B, 8))));
        TestSupport.checkGradientsUnderGc(block, manager, m -> TestSupport.weightedSum(
                new NDList(block.project(new ParameterStore(manager, false), m.randomNormal(new Shape(B, 8)), false))));
    }

    @Test
    void talkingHeadsCrossAttention() {
        for (boolean talking : new boolean[] {true, false}) {
            for (boolean bidirectional : new boolean[] {false, true}) {
                TalkingHeadsCrossAttention block = init(TalkingHeadsCrossAttention.builder().heads(2).headDim(4).out(3)
                        .textDim(6).talkingHeads(talking).bidirectional(bidirectional).build(),
                        new Shape(B, 7, 5), new Shape(B, 7), new Shape(B, 4, 6), new Shape(B, 4));
                block.kernel(AttentionKernel.DIRECT);
                check(block, m -> new NDList(m.randomNormal(new Shape(B, 7, 5)), mask(m, 7, 2, 5, 1),
                        m.randomNormal(new Shape(B, 4, 6)), mask(m, 4, 4, 1, 2)));
                block.kernel(AttentionKernel.FACTORED);
                check(block, m -> new NDList(m.randomNormal(new Shape(B, 7, 5)), mask(m, 7, 2, 5, 1),
                        m.randomNormal(new Shape(B, 4, 6)), mask(m, 4, 4, 1, 2)));
            }
        }
    }

    @Test
    void regressionHead() {
        RegressionHead block = init(RegressionHead.create(8, 0.1), new Shape(B, 10));
        check(block, m -> new NDList(m.randomNormal(new Shape(B, 10))));
    }
}
