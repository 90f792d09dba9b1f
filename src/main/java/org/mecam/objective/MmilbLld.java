package org.mecam.objective;

import org.mecam.model.MecamModel;

/**
 * MMILB's lld, the summed log-likelihood lower bound of the modality pairs: maximised with
 * weight beta in stage 1 ({@link #main()}), and alone, weight 1, by the MMILB estimators in
 * stage 0 ({@link #stage0()}, column {@code stage0_lld}).
 */
final class MmilbLld implements LossTerm {

    private final Stage stage;

    private MmilbLld(Stage stage) {
        this.stage = stage;
    }

    /** @return the stage-1 term, -beta lld */
    static MmilbLld main() {
        return new MmilbLld(Stage.MAIN);
    }

    /** @return the stage-0 term, -lld on encoder outputs without gradient */
    static MmilbLld stage0() {
        return new MmilbLld(Stage.MMILB);
    }

    @Override
    public String name() {
        return stage == Stage.MAIN ? "lld" : "stage0_lld";
    }

    @Override
    public String description() {
        return "lld";
    }

    @Override
    public String symbol() {
        return "lld";
    }

    @Override
    public String weightKey() {
        return stage == Stage.MAIN ? "beta" : "one";
    }

    @Override
    public Stage stage() {
        return stage;
    }

    @Override
    public int sign() {
        return -1;
    }

    @Override
    public boolean appliesTo(MecamModel model) {
        return model.hasMutualInformation();
    }

    @Override
    public Value compute(Step s) {
        return Value.of(s.model().lld(s.ps(), s.output().encoded(), s.training()));
    }
}
