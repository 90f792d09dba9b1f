package org.mecam.config;

/** Choices for {@code fusion}. */
public enum Fusion implements Choice {
    /** talking-heads cross-attention over frame sequences. */
    ATTENTION("attention"),
    /** the published length-1 attention over pooled vectors. */
    POOLED("pooled"),
    /** no attention, MMIM-style concatenation. */
    CONCAT("concat");

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
