package org.mecam.config;

/** Choices for {@code textEncoderKind}. */
public enum TextEncoderKind implements Choice {
    /** an LSTM over the projected features; t is its state at the last valid token. */
    LSTM("lstm"),
    /** one pre-norm transformer layer; t is the state of the first ([CLS]) token. */
    TRANSFORMER("transformer");

    private final String key;

    TextEncoderKind(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return key;
    }
}
