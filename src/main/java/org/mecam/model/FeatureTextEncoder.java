package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.mecam.config.TextEncoderKind;

/**
 * Text in feature mode (METHOD.md, "Encoders"): precomputed token features (768-d BERT or 300-d GloVe)
 * through a linear projection and dropout, then an LSTM (t = state at the last valid token) or
 * one pre-norm transformer layer (t = state of the first, [CLS], token).
 *
 * <p>Inputs: features [B, Lt, Din], mask [B, Lt], last valid index [B]. Outputs: token states
 * T [B, Lt, d] and the utterance vector t [B, d].
 */
public final class FeatureTextEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final TextEncoderKind kind;
    private final Linear projection;
    private final MaskedDropout dropout;
    private final Block encoder;

    private FeatureTextEncoder(Builder b) {
        super(VERSION);
        dim = b.dim;
        kind = b.kind;
        projection = addChildBlock("projection", Linear.builder().setUnits(dim).build());
        dropout = addChildBlock("dropout", new MaskedDropout((float) b.dropout));
        if (kind == TextEncoderKind.LSTM) {
            encoder = addChildBlock("lstm", LSTM.builder().setStateSize(dim).setNumLayers(1)
                    .optBatchFirst(true).optReturnState(false).build());
        } else {
            int heads = dim % 4 == 0 ? 4 : 1;
            encoder = addChildBlock("transformer", TransformerLayer.builder().dim(dim).heads(heads)
                    .ffn(2 * dim).dropout(b.dropout).preNorm(true).build());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray features = inputs.get(0); // (B, Lt, Din)
        NDArray mask = inputs.get(1); // (B, Lt)
        NDArray last = inputs.get(2); // (B)
        NDArray h = projection.forward(ps, new NDList(features), training).head(); // (B, Lt, d)
        h = dropout.forward(ps, new NDList(h), training).head();
        if (kind == TextEncoderKind.LSTM) {
            NDArray states = Ops.lstm(encoder, ps, h, training); // (B, Lt, d)
            return new NDList(states, Ops.gatherLast(states, last));
        }
        NDArray states = encoder.forward(ps, new NDList(h, TransformerLayer.maskBias(mask)), training).head();
        return new NDList(states, states.get(":, 0, :")); // (B, Lt, d), (B, d)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), x.get(1), dim), new Shape(x.get(0), dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape projected = new Shape(x.get(0), x.get(1), dim);
        projection.initialize(manager, dataType, x);
        dropout.initialize(manager, dataType, projected);
        if (kind == TextEncoderKind.LSTM) {
            encoder.initialize(manager, dataType, projected);
        } else {
            encoder.initialize(manager, dataType, projected, new Shape(x.get(0), 1, 1, x.get(1)));
        }
    }

    /** Builds a {@link FeatureTextEncoder}. */
    public static final class Builder {
        private int dim = 128;
        private TextEncoderKind kind = TextEncoderKind.LSTM;
        private double dropout = 0.1;

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder kind(TextEncoderKind kind) {
            this.kind = kind;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        public FeatureTextEncoder build() {
            return new FeatureTextEncoder(this);
        }
    }
}
