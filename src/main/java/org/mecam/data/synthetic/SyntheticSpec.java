package org.mecam.data.synthetic;

import org.mecam.config.Preset;
import org.mecam.config.RunConfig;

/**
 * Shapes and signal strengths of the synthetic dataset.
 *
 * @param trainSize training samples
 * @param validSize validation samples
 * @param testSize test samples
 * @param textLen padded tokens Lt, including [CLS] and [SEP]
 * @param textDim token feature width Dt
 * @param vocabSize token ids 0..vocabSize-1 (0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 "not")
 * @param meanWords median number of words of an utterance
 * @param audioLen padded audio frames La
 * @param visionLen padded vision frames Lv
 * @param aligned audio and vision have one frame per token (La = Lv = Lt)
 * @param negativeFraction fraction of samples that get negative information
 * @param seed data seed
 */
public record SyntheticSpec(
        int trainSize,
        int validSize,
        int testSize,
        int textLen,
        int textDim,
        int vocabSize,
        double meanWords,
        int audioLen,
        int visionLen,
        boolean aligned,
        double negativeFraction,
        long seed) {

    /** Audio features per frame (the COVAREP subset of MOSI). */
    public static final int AUDIO_DIM = 5;
    /** Vision features per frame (the FACET subset of MOSI). */
    public static final int VISION_DIM = 20;

    /** Probability that a word slot carries sentiment. */
    static final double SENTIMENT_RATE = 0.35;
    /** Std of a sentiment word's value around the latent sentiment. */
    static final double WORD_VALUE_NOISE = 0.7;
    /** Probability that a sentiment word is expressed as "not" + the opposite word. */
    static final double NEGATION_RATE = 0.3;
    /** Amplitude of the sentiment direction in audio frames (frame noise has std 1). */
    static final double AUDIO_AMP = 0.4;
    /** Amplitude of the sentiment direction in vision frames. */
    static final double VISION_AMP = 0.5;
    /** Amplitude of the arousal (|sentiment|) direction in audio and vision frames. */
    static final double AROUSAL_AMP = 0.3;
    /** AR(1) coefficient of the frame noise. */
    static final double FRAME_NOISE_AR = 0.7;
    /** Std of the per-sample speaker offset. */
    static final double SPEAKER_STD = 0.5;
    /** Shift of a sentiment word's embedding along the shared polarity direction, per unit of value. */
    static final double EMBEDDING_POLARITY = 1.5;
    /** Std of the per-occurrence noise on token features. */
    static final double TOKEN_NOISE = 0.2;

    /** @return the spec of a preset with the config's sizes, fraction and seed applied */
    public static SyntheticSpec of(RunConfig c) {
        SyntheticSpec base = preset(c.preset, c.negativeFraction, c.dataSeed);
        return new SyntheticSpec(
                c.trainSize > 0 ? c.trainSize : base.trainSize,
                c.validSize > 0 ? c.validSize : base.validSize,
                c.testSize > 0 ? c.testSize : base.testSize,
                base.textLen,
                base.textDim,
                base.vocabSize,
                base.meanWords,
                base.audioLen,
                base.visionLen,
                base.aligned,
                base.negativeFraction,
                base.seed);
    }

    /** @return a preset's default spec */
    public static SyntheticSpec preset(Preset preset, double negativeFraction, long seed) {
        switch (preset) {
            case MOSI:
                return new SyntheticSpec(1284, 229, 686, 50, 768, 2000, 12, 50, 50, true, negativeFraction, seed);
            case MOSI_UNALIGNED:
                return new SyntheticSpec(1284, 229, 686, 50, 768, 2000, 12, 375, 500, false, negativeFraction, seed);
            case TINY:
                return new SyntheticSpec(512, 64, 128, 16, 32, 64, 7, 16, 16, true, negativeFraction, seed);
            case COMPLEMENTARY:
                return new SyntheticSpec(1200, 300, 1000, 12, 16, 64, 8, 12, 12, true, negativeFraction, seed);
            default:
                throw new IllegalArgumentException("unknown preset " + preset);
        }
    }
}
