package org.mecam.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.TrainSettings;
import org.mecam.data.batch.Batch;
import org.mecam.engine.NoGrad;
import org.mecam.model.MecamModel;
import org.mecam.model.Ops;

/**
 * An {@link Objective} bound to one model and run: which of its terms are on (they apply to the
 * model and their weight is not 0), their weights, and their states. Computes a stage's terms on
 * a batch and combines them into that stage's loss.
 */
public final class ActiveObjective implements AutoCloseable {

    private final Objective objective;
    private final MecamModel model;
    private final Map<LossTerm, Double> weights = new LinkedHashMap<>();
    private final Map<LossTerm, LossTerm.State> states = new LinkedHashMap<>();
    private final NDManager manager;

    ActiveObjective(Objective objective, MecamModel model, TrainSettings settings, NDManager manager) {
        this.objective = objective;
        this.model = model;
        this.manager = manager;
        for (LossTerm t : objective.terms()) {
            double w = t.weight(settings);
            if (w != 0 && t.appliesTo(model)) {
                weights.put(t, w);
                states.put(t, t.newState(manager));
            }
        }
    }

    /** @return the objective */
    public Objective objective() {
        return objective;
    }

    /** @return whether a stage has a term that is on (stage 0 runs only then) */
    public boolean has(Stage stage) {
        return !active(stage).isEmpty();
    }

    /** @return whether the term is on */
    public boolean isActive(LossTerm term) {
        return weights.containsKey(term);
    }

    /** @return the terms of a stage that are on, in order */
    public List<LossTerm> active(Stage stage) {
        List<LossTerm> out = new ArrayList<>();
        weights.keySet().forEach(t -> {
            if (t.stage() == stage) {
                out.add(t);
            }
        });
        return out;
    }

    /** @return the term's weight with its sign: what it is multiplied by in the loss */
    public double signedWeight(LossTerm term) {
        return term.sign() * weights.get(term);
    }

    /** Forgets what the terms of a stage keep between steps (each epoch's stage starts empty). */
    public void reset(Stage stage) {
        states.forEach((t, s) -> {
            if (t.stage() == stage) {
                s.reset();
            }
        });
    }

    /** @return every term's counters since its last reset, by name (terms that are off count nothing) */
    public Map<String, Integer> counters() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (LossTerm t : objective.terms()) {
            LossTerm.State s = states.get(t);
            for (String c : t.counters()) {
                out.put(c, s == null ? 0 : s.counters().getOrDefault(c, 0));
            }
        }
        return out;
    }

    /**
     * One stage's terms on a batch.
     *
     * @param output the model's forward pass; null in stage 0, which runs the encoders without
     *     gradient itself
     * @param states the terms' states (this objective's, or fresh ones from {@link #freshStates()})
     */
    public Computed compute(Stage stage, ParameterStore ps, Batch batch, MecamModel.Output output, boolean training,
            Map<LossTerm, LossTerm.State> states) {
        MecamModel.Output out = output;
        if (out == null) {
            MecamModel.Encoded enc;
            try (NoGrad ignored = NoGrad.enter()) {
                enc = model.encode(ps, batch, training);
            }
            out = new MecamModel.Output(null, enc, null, null);
        }
        Map<LossTerm, LossTerm.Value> values = new LinkedHashMap<>();
        NDArray loss = null;
        for (LossTerm t : active(stage)) {
            LossTerm.Value v = t.compute(new LossTerm.Step(model, ps, batch, out, training, states.get(t)));
            if (v == null) {
                continue;
            }
            values.put(t, v);
            double w = weights.get(t);
            NDArray x = w == 1 ? v.value() : v.value().mul(Ops.scalar(loss == null ? v.value() : loss, w));
            if (loss == null) {
                loss = t.sign() > 0 ? x : x.neg();
            } else {
                loss = t.sign() > 0 ? loss.add(x) : loss.sub(x);
            }
        }
        return new Computed(out, values, loss);
    }

    /** As {@link #compute(Stage, ParameterStore, Batch, MecamModel.Output, boolean, Map)} with this objective's states. */
    public Computed compute(Stage stage, ParameterStore ps, Batch batch, MecamModel.Output output, boolean training) {
        return compute(stage, ps, batch, output, training, states);
    }

    /** @return new states for the terms that are on (e.g. an empty entropy memory), to be closed by the caller */
    public Map<LossTerm, LossTerm.State> freshStates() {
        Map<LossTerm, LossTerm.State> out = new LinkedHashMap<>();
        weights.keySet().forEach(t -> out.put(t, t.newState(manager)));
        return out;
    }

    /**
     * A stage's terms on one batch.
     *
     * @param output the model's forward pass
     * @param values each term that gave a value, in order
     * @param loss the weighted sum, or null when no term gave a value
     */
    public record Computed(MecamModel.Output output, Map<LossTerm, LossTerm.Value> values, NDArray loss) {

        /** @return the value of the term named {@code name}, or null */
        public NDArray value(String name) {
            for (Map.Entry<LossTerm, LossTerm.Value> e : values.entrySet()) {
                if (e.getKey().name().equals(name)) {
                    return e.getValue().value();
                }
            }
            return null;
        }
    }

    @Override
    public void close() {
        states.values().forEach(LossTerm.State::close);
    }
}
