package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.data.batch.Batch;

/** One model's fusion: from the encoders' outputs to the head's input and the prediction. */
public interface FusionStep {

    /** The head's input and the prediction. */
    record Fused(NDArray fused, NDArray prediction) {}

    /**
     * @param batch the batch (variants without per-modality encoders, {@link
     *     FusionVariant#hasModalityEncoders()} false, read its sequences); null when the model
     *     runs as a generic block on its input list
     * @param enc the encoders' outputs (all null without per-modality encoders)
     * @param attention receives the attention weights per modality when not null
     * @return the head's input [B, D] and the prediction [B]
     */
    Fused forward(ParameterStore ps, Batch batch, MecamModel.Encoded enc, boolean training,
            Map<Modality, NDArray> attention);

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
