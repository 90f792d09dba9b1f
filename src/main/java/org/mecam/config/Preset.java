package org.mecam.config;

/** Shapes of the synthetic dataset. */
public enum Preset implements Choice {
    /** CMU-MOSI aligned shapes: text 50 tokens, audio 50x5, vision 50x20; 1284/229/686 samples. */
    MOSI,
    /** CMU-MOSI unaligned shapes: text 50 tokens, audio 375x5, vision 500x20. */
    MOSI_UNALIGNED,
    /** A small dataset with short sequences that trains in seconds, for tests and smoke runs. */
    TINY;

    @Override
    public String toString() {
        return key();
    }
}
