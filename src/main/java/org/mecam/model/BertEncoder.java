package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.mecam.config.BertSize;

/**
 * A BERT encoder over token ids (token + position + segment embeddings, LayerNorm, post-norm
 * GELU transformer layers), randomly initialised with N(0, 0.02) weights.
 *
 * <p>Written from DJL blocks rather than DJL's {@code BertBlock}, which normalises embeddings
 * with BatchNorm, pools token 1 instead of [CLS], needs every sequence at its maximum length,
 * and creates its attention scale from a Java buffer inside a scope that is closed before
 * backward, so that after a garbage collection its gradients read freed memory.
 *
 * <p>Inputs: ids [B, Lt] (int64), mask [B, Lt], last valid index [B]. Outputs: token states
 * T [B, Lt, H] and t = T[:, 0] (the [CLS] state) [B, H].
 */
public final class BertEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int hidden;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final Parameter segmentEmbedding;
    private final LayerNorm embeddingNorm;
    private final Dropout dropout;
    private final List<TransformerLayer> layers = new ArrayList<>();

    private BertEncoder(Builder b) {
        super(VERSION);
        hidden = b.size.hidden();
        tokenEmbedding = addParameter(Parameter.builder().setName("tokenEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(b.vocabSize, hidden)).build());
        positionEmbedding = addParameter(Parameter.builder().setName("positionEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(b.maxLength, hidden)).build());
        segmentEmbedding = addParameter(Parameter.builder().setName("segmentEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(2, hidden)).build());
        embeddingNorm = addChildBlock("embeddingNorm", LayerNorm.builder().axis(2).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(0.1f).build());
        for (int i = 0; i < b.size.layers(); i++) {
            layers.add(addChildBlock("layer" + i, TransformerLayer.builder().dim(hidden)
                    .heads(b.size.heads()).ffn(b.size.intermediate()).dropout(0.1).build()));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int hidden() {
        return hidden;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray ids = inputs.get(0); // (B, Lt)
        NDArray mask = inputs.get(1); // (B, Lt)
        NDManager m = ids.getManager();
        long len = ids.getShape().get(1);
        NDArray tokens = ps.getValue(tokenEmbedding, ids.getDevice(), training)
                .get(m, new NDIndex("{}", ids)); // (B, Lt, H)
        NDArray positions = ps.getValue(positionEmbedding, ids.getDevice(), training)
                .get(m, new NDIndex("0:{}", len)); // (Lt, H)
        NDArray segment = ps.getValue(segmentEmbedding, ids.getDevice(), training)
                .get(m, new NDIndex("0")); // (H), single-segment inputs
        NDArray x = tokens.add(positions).add(segment);
        x = embeddingNorm.forward(ps, new NDList(x), training).head();
        x = dropout.forward(ps, new NDList(x), training).head();
        NDArray bias = TransformerLayer.maskBias(mask);
        for (TransformerLayer layer : layers) {
            x = layer.forward(ps, new NDList(x, bias), training).head();
        }
        return new NDList(x, x.get(":, 0, :"));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return tokenStateShapes(inputShapes, hidden);
    }

    /** @return the shapes of a pretrained text encoder's outputs: token states [B, Lt, H] and the [CLS] state [B, H] */
    static Shape[] tokenStateShapes(Shape[] inputShapes, int hidden) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), hidden), new Shape(ids.get(0), hidden)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        Shape states = new Shape(ids.get(0), ids.get(1), hidden);
        embeddingNorm.initialize(manager, dataType, states);
        dropout.initialize(manager, dataType, states);
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, states, new Shape(ids.get(0), 1, 1, ids.get(1)));
        }
    }

    /** Builds a {@link BertEncoder}. */
    public static final class Builder {
        private BertSize size = BertSize.BASE;
        private int vocabSize = 30522;
        private int maxLength = 512;

        public Builder size(BertSize size) {
            this.size = size;
            return this;
        }

        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        public BertEncoder build() {
            return new BertEncoder(this);
        }
    }
}
