package org.mecam.config;

/** Choices for {@code fusion}. */
public enum Fusion implements Choice {
    /** talking-heads cross-attention over frame sequences. */
    ATTENTION,
    /** the published length-1 attention over pooled vectors. */
    POOLED,
    /** no attention, MMIM-style concatenation. */
    CONCAT,
    /** baseline: one regression head per modality, predictions averaged. */
    LATE,
    /** baseline: one LSTM over the concatenated aligned features of all modalities. */
    EARLY;

    @Override
    public String toString() {
        return key();
    }
}
