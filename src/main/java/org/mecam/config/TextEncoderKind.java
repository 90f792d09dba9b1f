package org.mecam.config;

/** Choices for {@code textEncoderKind}. */
public enum TextEncoderKind implements Choice {
    /** an LSTM over the projected features; t is its state at the last valid token. */
    LSTM,
    /** one pre-norm transformer layer; t is the state of the first ([CLS]) token. */
    TRANSFORMER;

    @Override
    public String toString() {
        return key();
    }
}
