package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Dropout whose mask comes from the model's {@link DropoutMasks}: libtorch's own (as DJL's
 * {@link Dropout}, bit for bit) or the kit's stream, {@code x * mask} in training; the input
 * itself in evaluation. No parameters: checkpoints are unchanged.
 */
public final class MaskedDropout extends AbstractBlock {

    private static final byte VERSION = 1;

    private final float rate;
    private DropoutMasks masks;

    public MaskedDropout(double rate) {
        super(VERSION);
        this.rate = (float) rate;
    }

    /** Gives every {@link MaskedDropout} under {@code root} (itself included) the same masks. */
    static void bind(Block root, DropoutMasks masks) {
        if (root instanceof MaskedDropout) {
            ((MaskedDropout) root).masks = masks;
        }
        for (Block child : root.getChildren().values()) {
            bind(child, masks);
        }
    }

    public float rate() {
        return rate;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        // evaluation, rates 0 and 1 (libtorch multiplies by zero) and empty arrays draw nothing
        if (!training || rate == 0f || rate == 1f || x.getShape().size() == 0 || masks == null
                || !DropoutMasks.KIT.equals(masks.mode())) {
            return Dropout.dropout(x, rate, training);
        }
        return new NDList(x.mul(masks.next(x.getManager(), x.getShape(), rate)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
