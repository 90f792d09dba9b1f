package org.mecam.objective;

import org.mecam.model.MecamModel;

/** The task loss: the mean absolute error of the predictions, L1 (weight 1). */
final class TaskL1 implements LossTerm {

    @Override
    public String name() {
        return "task";
    }

    @Override
    public String description() {
        return "task loss (L1)";
    }

    @Override
    public String weightKey() {
        return "one";
    }

    @Override
    public Stage stage() {
        return Stage.MAIN;
    }

    @Override
    public boolean appliesTo(MecamModel model) {
        return true;
    }

    @Override
    public Value compute(Step s) {
        return Value.of(s.output().prediction().sub(s.batch().labels).abs().mean());
    }
}
