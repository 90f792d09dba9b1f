package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A transformer encoder layer: multi-head self-attention with a key-padding mask and a GELU
 * feed-forward block, post-norm (BERT) or pre-norm.
 *
 * <p>Inputs: x [B, L, d], additive mask bias [B, 1, 1, L] (0 valid, -1e9 padding). Output:
 * [B, L, d].
 */
public final class TransformerLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final int heads;
    private final boolean preNorm;
    private final Linear qkv;
    private final Linear out;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Linear ffnIn;
    private final Linear ffnOut;
    private final MaskedDropout dropout;

    private TransformerLayer(Builder b) {
        super(VERSION);
        if (b.dim % b.heads != 0) {
            throw new IllegalArgumentException("width " + b.dim + " is not divisible by " + b.heads + " heads");
        }
        dim = b.dim;
        heads = b.heads;
        preNorm = b.preNorm;
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dim).build());
        out = addChildBlock("out", Linear.builder().setUnits(dim).build());
        norm1 = addChildBlock("norm1", layerNorm(b.normEpsilon));
        norm2 = addChildBlock("norm2", layerNorm(b.normEpsilon));
        ffnIn = addChildBlock("ffnIn", Linear.builder().setUnits(b.ffn).build());
        ffnOut = addChildBlock("ffnOut", Linear.builder().setUnits(dim).build());
        dropout = addChildBlock("dropout", new MaskedDropout(b.dropout));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return a LayerNorm over the last axis with epsilon {@code eps}, or DJL's default (1e-5) when null */
    static LayerNorm layerNorm(Float eps) {
        LayerNorm.Builder b = LayerNorm.builder().axis(2);
        return (eps == null ? b : b.optEpsilon(eps)).build();
    }

    /**
     * @param mask [B, L] of 1 valid / 0 padding
     * @return the additive attention bias [B, 1, 1, L]
     */
    public static NDArray maskBias(NDArray mask) {
        Shape s = mask.getShape();
        return mask.sub(Ops.scalar(mask, 1)).mul(Ops.scalar(mask, 1e9)).reshape(s.get(0), 1, 1, s.get(1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0); // (B, L, d)
        NDArray bias = inputs.get(1); // (B, 1, 1, L)
        if (preNorm) {
            x = x.add(drop(ps, attention(ps, norm(ps, norm1, x, training), bias, training), training));
            return new NDList(x.add(drop(ps, feedForward(ps, norm(ps, norm2, x, training), training), training)));
        }
        x = norm(ps, norm1, x.add(drop(ps, attention(ps, x, bias, training), training)), training);
        return new NDList(norm(ps, norm2, x.add(drop(ps, feedForward(ps, x, training), training)), training));
    }

    private NDArray attention(ParameterStore ps, NDArray x, NDArray bias, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long len = s.get(1);
        long e = dim / heads;
        NDArray proj = qkv.forward(ps, new NDList(x), training).head(); // (B, L, 3d)
        NDArray split = proj.reshape(b, len, 3, heads, e).transpose(2, 0, 3, 1, 4); // (3, B, h, L, e)
        NDArray q = split.get(0).mul(Ops.scalar(x, 1.0 / Math.sqrt(e))); // (B, h, L, e)
        NDArray k = split.get(1); // (B, h, L, e)
        NDArray v = split.get(2); // (B, h, L, e)
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(bias); // (B, h, L, L)
        NDArray weights = drop(ps, scores.softmax(-1), training);
        NDArray context = weights.matMul(v).transpose(0, 2, 1, 3).reshape(b, len, dim); // (B, L, d)
        return out.forward(ps, new NDList(context), training).head();
    }

    private NDArray feedForward(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = Activation.gelu(ffnIn.forward(ps, new NDList(x), training).head()); // (B, L, ffn)
        return ffnOut.forward(ps, new NDList(drop(ps, h, training)), training).head(); // (B, L, d)
    }

    private static NDArray norm(ParameterStore ps, LayerNorm ln, NDArray x, boolean training) {
        return ln.forward(ps, new NDList(x), training).head();
    }

    private NDArray drop(ParameterStore ps, NDArray x, boolean training) {
        return dropout.forward(ps, new NDList(x), training).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        qkv.initialize(manager, dataType, x);
        out.initialize(manager, dataType, x);
        norm1.initialize(manager, dataType, x);
        norm2.initialize(manager, dataType, x);
        ffnIn.initialize(manager, dataType, x);
        ffnOut.initialize(manager, dataType, ffnIn.getOutputShapes(new Shape[] {x})[0]);
        dropout.initialize(manager, dataType, x);
    }

    /** Builds a {@link TransformerLayer}. */
    public static final class Builder {
        private int dim = 128;
        private int heads = 4;
        private int ffn = 512;
        private float dropout = 0.1f;
        private boolean preNorm;
        private Float normEpsilon;

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder ffn(int ffn) {
            this.ffn = ffn;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = (float) dropout;
            return this;
        }

        /** Normalise before each sub-block (default: after, as BERT). */
        public Builder preNorm(boolean preNorm) {
            this.preNorm = preNorm;
            return this;
        }

        /** The LayerNorms' epsilon (default: DJL's, 1e-5; a pretrained BERT's config.json gives its own). */
        public Builder normEpsilon(Float normEpsilon) {
            this.normEpsilon = normEpsilon;
            return this;
        }

        public TransformerLayer build() {
            return new TransformerLayer(this);
        }
    }
}
