package org.mecam.objective;

/** The training stage a loss term belongs to (docs/METHOD.md, "Head, loss and training"). */
public enum Stage {
    /**
     * Stage 0: the MMILB estimators maximise lld on encoder outputs computed without gradient
     * (their own optimizer).
     */
    MMILB,
    /** Stage 1: the main loss, over every other trainable parameter. */
    MAIN
}
