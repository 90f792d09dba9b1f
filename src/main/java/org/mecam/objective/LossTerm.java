package org.mecam.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.mecam.config.TrainSettings;
import org.mecam.data.batch.Batch;
import org.mecam.model.MecamModel;

/**
 * One term of the training objective. It is added to its stage's loss as {@code sign() x
 * weight x value}; a term whose weight is 0, or which the model cannot compute (see {@link
 * #appliesTo}), is left out. Implementations are stateless: what a term keeps between steps
 * (the entropy term's memory of the previous batch) lives in its {@link State}, one per
 * trainer.
 */
public interface LossTerm {

    /**
     * @return the term's name: its column in {@code epochs.csv}, its TensorBoard tag
     *     {@code loss/<name>}, its gradient diagnostics {@code grad_<name>_<m>}
     */
    String name();

    /** @return how the term is named in messages (a non-finite value names it), e.g. "task loss (L1)" */
    default String description() {
        return name();
    }

    /** @return the short label of the per-epoch progress line, e.g. "nce" */
    default String symbol() {
        return name();
    }

    /**
     * @return the configuration key of the term's weight: {@code alpha}, {@code beta}, or
     *     {@code one} for a fixed weight of 1 (see {@link TrainSettings#weight(String)})
     */
    String weightKey();

    /** @return the stage whose loss the term enters */
    Stage stage();

    /** @return +1 when the term is minimised, -1 when it is maximised (subtracted from the loss) */
    default int sign() {
        return 1;
    }

    /** @return whether a non-finite value of this term stops training (else only the total is checked) */
    default boolean checked() {
        return true;
    }

    /** @return the term's weight in a run: by default the value of {@link #weightKey()} */
    default double weight(TrainSettings settings) {
        return settings.weight(weightKey());
    }

    /** @return whether {@code model} computes this term (e.g. the contrastive term needs the filter) */
    boolean appliesTo(MecamModel model);

    /**
     * Computes the term on one batch.
     *
     * @return its value, or null when this batch gives none (the term then adds nothing)
     */
    Value compute(Step step);

    /** @return names of the term's parts, recorded per epoch as diagnostics (e.g. contrastive_t) */
    default List<String> parts() {
        return List.of();
    }

    /** @return names of the integer counters the term's state keeps per epoch (e.g. entropy_skipped) */
    default List<String> counters() {
        return List.of();
    }

    /** @return a new state for one trainer, under {@code manager} */
    default State newState(NDManager manager) {
        return State.NONE;
    }

    /**
     * What a term computes from.
     *
     * @param model the model
     * @param ps its parameter store
     * @param batch the batch (labels, negative information, derived inputs)
     * @param output the model's forward pass (stage 0: the encoders' outputs only)
     * @param training whether the step trains (dropout on)
     * @param state the term's state in this trainer
     */
    record Step(MecamModel model, ParameterStore ps, Batch batch, MecamModel.Output output, boolean training,
            State state) {}

    /**
     * A term's result on one batch.
     *
     * @param value the scalar that enters the loss (unweighted)
     * @param reported the scalar recorded for the step (usually {@code value}; NaN to report
     *     none, e.g. an entropy term whose pairs were all skipped)
     * @param parts scalars recorded per part, by the names of {@link #parts()}
     */
    record Value(NDArray value, NDArray reported, Map<String, NDArray> parts) {

        /** @return a value reported as it is, without parts */
        public static Value of(NDArray value) {
            return new Value(value, value, Map.of());
        }
    }

    /** What a term keeps between the steps of one trainer. */
    interface State extends AutoCloseable {

        /** No state. */
        State NONE = new State() {};

        /** Forgets what was kept: each epoch's stage starts empty. */
        default void reset() {}

        /** @return the counters of {@link LossTerm#counters()} since the last reset */
        default Map<String, Integer> counters() {
            return Map.of();
        }

        @Override
        default void close() {}
    }
}
