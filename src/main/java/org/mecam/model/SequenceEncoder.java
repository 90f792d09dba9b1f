package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Audio or vision encoder (METHOD.md, "Encoders"): a one-layer LSTM over the frames, the state at each
 * sequence's last valid frame, dropout and a linear layer. Frames are right-padded, so the LSTM
 * state at {@code length - 1} never sees padding.
 *
 * <p>Inputs: frames [B, L, D], last valid index [B] (int64). Outputs: per-frame states
 * [B, L, H] and the utterance vector [B, out].
 */
public final class SequenceEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int hidden;
    private final int out;
    private final LSTM lstm;
    private final MaskedDropout dropout;
    private final Linear linear;

    private SequenceEncoder(Builder b) {
        super(VERSION);
        this.hidden = b.hidden;
        this.out = b.out;
        lstm = addChildBlock("lstm", LSTM.builder().setStateSize(hidden).setNumLayers(1)
                .optBatchFirst(true).optReturnState(false).build());
        dropout = addChildBlock("dropout", new MaskedDropout(b.dropout));
        linear = addChildBlock("linear", Linear.builder().setUnits(out).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray frames = inputs.get(0); // (B, L, D)
        NDArray last = inputs.get(1); // (B)
        NDArray states = Ops.lstm(lstm, ps, frames, training); // (B, L, H)
        NDArray finalState = Ops.gatherLast(states, last); // (B, H)
        NDArray dropped = dropout.forward(ps, new NDList(finalState), training).head();
        NDArray vector = linear.forward(ps, new NDList(dropped), training).head(); // (B, out)
        return new NDList(states, vector);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), x.get(1), hidden), new Shape(x.get(0), out)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        lstm.initialize(manager, dataType, x);
        dropout.initialize(manager, dataType, new Shape(x.get(0), hidden));
        linear.initialize(manager, dataType, new Shape(x.get(0), hidden));
    }

    /** Builds a {@link SequenceEncoder}. */
    public static final class Builder {
        private int hidden = 16;
        private int out = 16;
        private float dropout;

        public Builder hidden(int hidden) {
            this.hidden = hidden;
            return this;
        }

        public Builder out(int out) {
            this.out = out;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = (float) dropout;
            return this;
        }

        public SequenceEncoder build() {
            return new SequenceEncoder(this);
        }
    }
}
