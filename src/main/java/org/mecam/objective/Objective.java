package org.mecam.objective;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mecam.config.TrainSettings;
import org.mecam.model.MecamModel;

/**
 * A training objective: an ordered list of {@link LossTerm}s. The order is the order of the
 * terms in the loss, in {@code epochs.csv}, in TensorBoard and in the progress line. {@link
 * #standard()} is MECAM's; {@link #with} adds a term of one's own.
 */
public final class Objective {

    private final List<LossTerm> terms;

    private Objective(List<LossTerm> terms) {
        List<String> names = new ArrayList<>();
        for (LossTerm t : terms) {
            if (names.contains(t.name())) {
                throw new IllegalArgumentException("two loss terms are named '" + t.name() + "'");
            }
            names.add(t.name());
        }
        this.terms = Collections.unmodifiableList(new ArrayList<>(terms));
    }

    /**
     * @return MECAM's objective (docs/METHOD.md, "Head, loss and training"): stage 0, -lld;
     *     stage 1, L1 + alpha nce - beta lld - beta H
     */
    public static Objective standard() {
        return new Objective(List.of(
                MmilbLld.stage0(),
                new TaskL1(),
                new ContrastiveTerm(),
                MmilbLld.main(),
                new EntropyH()));
    }

    /** @return this objective with {@code term} added last */
    public Objective with(LossTerm term) {
        List<LossTerm> out = new ArrayList<>(terms);
        out.add(term);
        return new Objective(out);
    }

    /** @return every term, in order */
    public List<LossTerm> terms() {
        return terms;
    }

    /** @return the terms of one stage, in order */
    public List<LossTerm> terms(Stage stage) {
        return terms.stream().filter(t -> t.stage() == stage).toList();
    }

    /** @return the names of every term, in order: the loss columns of {@code epochs.csv} */
    public List<String> names() {
        return terms.stream().map(LossTerm::name).toList();
    }

    /** @return the counters of every term, in order (e.g. entropy_skipped) */
    public List<String> counters() {
        return terms.stream().flatMap(t -> t.counters().stream()).toList();
    }

    /** @return the parts of every term, in order (e.g. contrastive_t, contrastive_a, contrastive_v) */
    public List<String> parts() {
        return terms.stream().flatMap(t -> t.parts().stream()).toList();
    }

    /** @return the term named {@code name}, or null */
    public LossTerm term(String name) {
        for (LossTerm t : terms) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * @return this objective for one model and run: the terms that apply with a non-zero weight,
     *     each with its state under {@code manager}
     */
    public ActiveObjective bind(MecamModel model, TrainSettings settings, NDManager manager) {
        return new ActiveObjective(this, model, settings, manager);
    }
}
