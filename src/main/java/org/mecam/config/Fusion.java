package org.mecam.config;

/** Choices for {@code fusion}. */
public enum Fusion implements Choice {
    /** talking-heads cross-attention over frame sequences. */
    ATTENTION("attention"),
    /** the published length-1 attention over pooled vectors. */
    POOLED("pooled"),
    /** no attention, MMIM-style concatenation. */
    CONCAT("concat"),
    /** baseline: one regression head per modality, predictions averaged. */
    LATE("late"),
    /** baseline: one LSTM over the concatenated aligned features of all modalities. */
    EARLY("early");

    private final String key;

    Fusion(String key) {
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
