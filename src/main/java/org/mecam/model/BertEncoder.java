package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.mecam.config.BertSize;

/**
 * A BERT encoder over token ids (token + position + segment embeddings, LayerNorm, post-norm
 * GELU transformer layers), randomly initialised with N(0, 0.02) weights, or given a Hugging Face
 * BERT's weights by {@link #load(PretrainedBert)} (then its sizes and LayerNorm epsilon come from
 * the folder's config.json, {@link PretrainedBert#configure}).
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
    private final MaskedDropout dropout;
    private final List<TransformerLayer> layers = new ArrayList<>();

    private BertEncoder(Builder b) {
        super(VERSION);
        hidden = b.hidden;
        tokenEmbedding = addParameter(Parameter.builder().setName("tokenEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(b.vocabSize, hidden)).build());
        positionEmbedding = addParameter(Parameter.builder().setName("positionEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(b.maxLength, hidden)).build());
        segmentEmbedding = addParameter(Parameter.builder().setName("segmentEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(b.segments, hidden)).build());
        embeddingNorm = addChildBlock("embeddingNorm", TransformerLayer.layerNorm(b.normEpsilon));
        dropout = addChildBlock("dropout", new MaskedDropout(0.1f));
        for (int i = 0; i < b.layers; i++) {
            layers.add(addChildBlock("layer" + i, TransformerLayer.builder().dim(hidden).heads(b.heads)
                    .ffn(b.intermediate).dropout(0.1).normEpsilon(b.normEpsilon).build()));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int hidden() {
        return hidden;
    }

    /**
     * Copies a Hugging Face BERT's weights into this (initialised) encoder: the embeddings, and per
     * layer query, key and value (stacked into one projection), attention output, both LayerNorms
     * and the feed-forward pair. The pooler is not used (t is the raw [CLS] state).
     *
     * @throws org.mecam.config.ConfigException naming the file, tensor and shapes when one is
     *     missing or of another shape
     */
    public void load(PretrainedBert weights) {
        copy(weights, tokenEmbedding, "embeddings.word_embeddings.weight");
        copy(weights, positionEmbedding, "embeddings.position_embeddings.weight");
        copy(weights, segmentEmbedding, "embeddings.token_type_embeddings.weight");
        copyNorm(weights, embeddingNorm, "embeddings.LayerNorm");
        for (int i = 0; i < layers.size(); i++) {
            String p = "encoder.layer." + i + ".";
            AbstractBlock layer = layers.get(i);
            for (String part : new String[] {"weight", "bias"}) {
                Parameter qkv = child(layer, "qkv").getParameters().get(part);
                String self = p + "attention.self.";
                set(qkv, PretrainedBert.concat(weights.tensor(self + "query." + part, thirdOf(qkv)),
                        weights.tensor(self + "key." + part, thirdOf(qkv)), weights.tensor(self + "value." + part, thirdOf(qkv))));
                copy(weights, child(layer, "out").getParameters().get(part), p + "attention.output.dense." + part);
                copy(weights, child(layer, "ffnIn").getParameters().get(part), p + "intermediate.dense." + part);
                copy(weights, child(layer, "ffnOut").getParameters().get(part), p + "output.dense." + part);
            }
            copyNorm(weights, (LayerNorm) child(layer, "norm1"), p + "attention.output.LayerNorm");
            copyNorm(weights, (LayerNorm) child(layer, "norm2"), p + "output.LayerNorm");
        }
    }

    /** @return the child block {@code name} (DJL prefixes child names with their two-digit position) */
    private static ai.djl.nn.Block child(AbstractBlock block, String name) {
        for (ai.djl.util.Pair<String, ai.djl.nn.Block> c : block.getChildren()) {
            if (c.getKey().replaceFirst("^\\d+", "").equals(name)) {
                return c.getValue();
            }
        }
        throw new IllegalStateException("no child block " + name + " in " + block.getChildren().keys());
    }

    /** @return the shape of one of query, key, value inside the stacked projection's parameter */
    private static Shape thirdOf(Parameter qkv) {
        Shape s = qkv.getArray().getShape();
        return s.dimension() == 1 ? new Shape(s.get(0) / 3) : new Shape(s.get(0) / 3, s.get(1));
    }

    private static void copyNorm(PretrainedBert weights, LayerNorm norm, String key) {
        copy(weights, norm.getParameters().get("gamma"), key + ".weight");
        copy(weights, norm.getParameters().get("beta"), key + ".bias");
    }

    private static void copy(PretrainedBert weights, Parameter p, String key) {
        set(p, weights.tensor(key, p.getArray().getShape()));
    }

    private static void set(Parameter p, float[] values) {
        p.getArray().set(java.nio.FloatBuffer.wrap(values));
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
        private int layers = BertSize.BASE.layers();
        private int hidden = BertSize.BASE.hidden();
        private int heads = BertSize.BASE.heads();
        private int intermediate = BertSize.BASE.intermediate();
        private int segments = 2;
        private Float normEpsilon;
        private int vocabSize = 30522;
        private int maxLength = 512;

        public Builder size(BertSize size) {
            return sizes(size.layers(), size.hidden(), size.heads(), size.intermediate());
        }

        /** Sizes other than {@link BertSize}'s (a pretrained BERT's). */
        public Builder sizes(int layers, int hidden, int heads, int intermediate) {
            this.layers = layers;
            this.hidden = hidden;
            this.heads = heads;
            this.intermediate = intermediate;
            return this;
        }

        /** Rows of the segment (token type) embedding (default 2; only row 0 is used). */
        public Builder segments(int segments) {
            this.segments = segments;
            return this;
        }

        /** The LayerNorms' epsilon (default: DJL's, 1e-5). */
        public Builder normEpsilon(Float normEpsilon) {
            this.normEpsilon = normEpsilon;
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
