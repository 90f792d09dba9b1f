package org.mecam.config;

/** Shapes of the synthetic dataset. */
public enum Preset implements Choice {
    /** CMU-MOSI aligned shapes: text 50 tokens, audio 50x5, vision 50x20; 1284/229/686 samples. */
    MOSI,
    /** CMU-MOSI unaligned shapes: text 50 tokens, audio 375x5, vision 500x20. */
    MOSI_UNALIGNED,
    /** A small dataset with short sequences that trains in seconds, for tests and smoke runs. */
    TINY,
    /**
     * The complementary benchmark: each modality carries a share of the sentiment the others
     * lack, negative information detectable or not inside its modality; 12 aligned tokens and
     * frames, 1200/300/1000 samples, cheap enough for many seeds ({@code ComplementaryGenerator}).
     */
    COMPLEMENTARY;

    @Override
    public String toString() {
        return key();
    }
}
