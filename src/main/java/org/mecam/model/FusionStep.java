package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.mecam.data.batch.Batch;

/** One model's fusion: from the encoders' outputs to the head's input and the prediction. */
public interface FusionStep {

    /** The head's input and the prediction. */
    record Fused(NDArray fused, NDArray prediction) {}

    /**
     * @param attention receives the attention weights per modality when not null
     * @return the head's input [B, D] and the prediction [B]
     */
    Fused forward(ParameterStore ps, MecamModel.Encoded enc, boolean training, Map<Character, NDArray> attention);

    /**
     * For variants without per-modality encoders ({@link FusionVariant#hasModalityEncoders()}
     * false): the forward pass from the batch's sequences themselves.
     */
    default Fused forward(ParameterStore ps, Batch batch, boolean training) {
        throw new UnsupportedOperationException("this fusion variant works on encoder outputs");
    }

    /**
     * Makes, ahead of a training step, the batch-derived inputs on the device that the variant's
     * forward pass would otherwise copy from the host inside the step ({@link Batch#derived}).
     */
    default void prepare(Batch batch) {}

    /**
     * Initialises the variant's blocks, after the model's own.
     *
     * @param in the model's example input shapes (text, mask, last; audio ...; vision ...)
     */
    void initialize(NDManager manager, DataType type, Shape[] in);
}
