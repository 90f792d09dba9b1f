package org.mecam.data.synthetic;

import java.util.SplittableRandom;
import org.mecam.data.FloatTensor3;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;

/**
 * The complementary benchmark ({@code --preset complementary}): each modality carries a part of
 * the sentiment that the others lack, so that no modality can stand in for another and a
 * modality that misleads costs what it alone knew. docs/METHOD.md, "Data", gives the equations.
 *
 * <p>Every sample draws three independent shares w_t, w_a, w_v ~ N(0, {@value #SHARE_STD}^2); its
 * sentiment is s = clip(w_t + w_a + w_v, -3, 3), and its label the mean of five simulated
 * annotators' integer scores around s (steps of 0.2, as {@link SyntheticGenerator}). Text
 * expresses w_t only (sentiment words whose value is drawn around {@value #WORD_SCALE} w_t), audio
 * and vision frames express w_a and w_v only (along a fixed direction, over AR(1) noise and a
 * speaker offset), one frame per token (aligned).
 *
 * <p>A share {@code negativeFraction} of the samples carries negative information in one
 * modality (text, audio or vision, equally likely), of one of two kinds, undetectable with
 * probability {@code undetectableShare}:
 *
 * <ul>
 *   <li>undetectable ({@link NegativeInfo#CONFLICT}): the modality is drawn from a share of the
 *       opposite sign to s, w'_m = -sign(s) |u|, u ~ N(0, {@value #SHARE_STD}^2): seen alone, the
 *       modality is distributed exactly as a clean one, so nothing inside it marks it;
 *   <li>detectable: every word is replaced by an off-distribution token whose features have std
 *       {@value #GARBLE_STD} ({@link NegativeInfo#GARBLE}), or every audio or vision frame by noise
 *       of std {@value #NOISE_STD} ({@link NegativeInfo#NOISE}), as from a broken sensor: it marks
 *       itself by its norm, keeps nothing of the modality's share, and misleads a model that reads
 *       it as signal.
 * </ul>
 *
 * Either way the hit modality keeps nothing of its own share, so masking it (the oracle, {@link
 * org.mecam.data.NegativeMask}) removes exactly the negative information. Each sample records its
 * kind and modality, and its sentiment s as the latent. Generation is
 * deterministic from the seed; each sample depends only on (seed, split, index, shares).
 */
public final class ComplementaryGenerator {

    /** Std of each modality's share of the sentiment. */
    public static final double SHARE_STD = 0.9;
    /** A sentiment word's value is drawn around this multiple of w_t. */
    static final double WORD_SCALE = 1.6;
    /** Std of a sentiment word's value around WORD_SCALE w_t. */
    static final double WORD_VALUE_NOISE = 0.6;
    /** Probability that a word slot carries sentiment. */
    static final double SENTIMENT_RATE = 0.5;
    /** Shift of a sentiment word's embedding along the polarity direction, per unit of value. */
    static final double EMBEDDING_POLARITY = 1.5;
    /** Std of the per-occurrence noise on token features. */
    static final double TOKEN_NOISE = 0.2;
    /** Amplitude of the sentiment direction in audio and vision frames (frame noise has std 1). */
    static final double FRAME_AMP = 1.6;
    /** AR(1) coefficient of the frame noise. */
    static final double FRAME_NOISE_AR = 0.5;
    /** Std of the per-sample speaker offset of audio and vision. */
    static final double SPEAKER_STD = 0.3;
    /** Std of a garbled token's features (a word's are about 1). */
    public static final double GARBLE_STD = 3.0;
    /** Std of the features of a modality's frames replaced by noise. */
    public static final double NOISE_STD = 3.0;
    /** Garbled token ids: the last this many ids of the vocabulary. */
    static final int GARBLED_IDS = 8;

    private static final int UNK = SyntheticGenerator.UNK;
    private static final int CLS = SyntheticGenerator.CLS;
    private static final int SEP = SyntheticGenerator.SEP;
    private static final int FIRST_WORD = 4;
    private static final String[] SPLITS = {"train", "valid", "test"};

    private final SyntheticSpec spec;
    private final double undetectableShare;
    private final WordGroups vocab;
    private final int firstGarbled;
    private final float[][] embedding;
    private final double[] audioDirection;
    private final double[] visionDirection;

    /**
     * @param spec shapes, sizes, negative fraction and seed (aligned: audio and vision have one
     *     frame per token, so textLen = audioLen = visionLen)
     * @param undetectableShare the share of negative samples whose negative information is undetectable
     */
    public ComplementaryGenerator(SyntheticSpec spec, double undetectableShare) {
        if (!spec.aligned() || spec.audioLen() != spec.textLen() || spec.visionLen() != spec.textLen()) {
            throw new IllegalArgumentException("the complementary benchmark is aligned: text, audio and vision lengths"
                    + " must be equal, got " + spec.textLen() + ", " + spec.audioLen() + ", " + spec.visionLen());
        }
        this.spec = spec;
        this.undetectableShare = undetectableShare;
        this.firstGarbled = spec.vocabSize() - GARBLED_IDS;
        this.vocab = new WordGroups(FIRST_WORD, (firstGarbled - FIRST_WORD) / (2 * WordGroups.GROUPS), firstGarbled);
        if (vocab.groupSize() < 1) {
            throw new IllegalArgumentException("vocabulary of " + spec.vocabSize() + " is too small");
        }
        SplittableRandom rng = new SplittableRandom(spec.seed() ^ 0xC0FFEEL);
        double[] polarity = SyntheticGenerator.unit(rng, spec.textDim());
        embedding = new float[spec.vocabSize()][spec.textDim()];
        for (int v = 1; v < spec.vocabSize(); v++) {
            double std = v >= firstGarbled ? GARBLE_STD : 1.0;
            double shift = EMBEDDING_POLARITY * wordValue(v);
            for (int d = 0; d < spec.textDim(); d++) {
                embedding[v][d] = (float) (std * rng.nextGaussian() + shift * polarity[d]);
            }
        }
        audioDirection = SyntheticGenerator.unit(rng, SyntheticSpec.AUDIO_DIM);
        visionDirection = SyntheticGenerator.unit(rng, SyntheticSpec.VISION_DIM);
    }

    /** @return the dataset of the spec */
    public MultimodalDataset generate() {
        MultimodalDataset.Info info = new MultimodalDataset.Info(
                "synthetic",
                "complementary synthetic generator, seed " + spec.seed() + ", negative fraction "
                        + spec.negativeFraction() + ", undetectable share " + undetectableShare,
                spec.textLen(),
                spec.textDim(),
                spec.vocabSize(),
                spec.audioLen(),
                SyntheticSpec.AUDIO_DIM,
                spec.visionLen(),
                SyntheticSpec.VISION_DIM,
                true,
                UNK);
        return new MultimodalDataset(info, split(0, spec.trainSize()), split(1, spec.validSize()),
                split(2, spec.testSize()));
    }

    /** One generated sample before it is written into the split's arrays; shares are kept for tests. */
    static final class Sample {
        int[] tokens;
        int length;
        float[][] audio;
        float[][] vision;
        float label;
        double sentiment;
        /** w_t, w_a, w_v as drawn (before a conflict replaced one). */
        final double[] shares = new double[3];
        NegativeInfo negative = NegativeInfo.NONE;
        byte negativeModality = NegativeInfo.MOD_NONE;
    }

    /** Generates one split. */
    Split split(int which, int n) {
        int len = spec.textLen();
        FloatTensor3 text = FloatTensor3.zeros(n, len, spec.textDim());
        FloatTensor3 audio = FloatTensor3.zeros(n, len, SyntheticSpec.AUDIO_DIM);
        FloatTensor3 vision = FloatTensor3.zeros(n, len, SyntheticSpec.VISION_DIM);
        int[] ids = new int[n * len];
        int[] lengths = new int[n];
        float[] labels = new float[n];
        float[] latent = new float[n];
        String[] sampleIds = new String[n];
        NegativeInfo[] negative = new NegativeInfo[n];
        byte[] negativeModality = new byte[n];
        for (int i = 0; i < n; i++) {
            Sample s = sample(which, i);
            System.arraycopy(s.tokens, 0, ids, i * len, len);
            lengths[i] = s.length;
            SplittableRandom rng = new SplittableRandom(SyntheticGenerator.mix(spec.seed() ^ 0x7E47L, which, i));
            for (int t = 0; t < s.length; t++) {
                float[] e = embedding[s.tokens[t]];
                for (int d = 0; d < e.length; d++) {
                    text.set(i, t, d, e[d] + (float) (TOKEN_NOISE * rng.nextGaussian()));
                }
                for (int d = 0; d < SyntheticSpec.AUDIO_DIM; d++) {
                    audio.set(i, t, d, s.audio[t][d]);
                }
                for (int d = 0; d < SyntheticSpec.VISION_DIM; d++) {
                    vision.set(i, t, d, s.vision[t][d]);
                }
            }
            labels[i] = s.label;
            latent[i] = (float) s.sentiment;
            negative[i] = s.negative;
            negativeModality[i] = s.negativeModality;
            sampleIds[i] = String.format("compl%d_%s$_$%d", spec.seed(), SPLITS[which], i);
        }
        return Split.builder(SPLITS[which]).textFeatures(text, null).textIds(ids, len).textLengths(lengths)
                .audio(audio, lengths.clone(), null).vision(vision, lengths.clone(), null).labels(labels)
                .ids(sampleIds).negative(negative, negativeModality).latent(latent).build();
    }

    /** @return sample {@code i} of split {@code which} (0 train, 1 valid, 2 test) */
    Sample sample(int which, int i) {
        SplittableRandom rng = new SplittableRandom(SyntheticGenerator.mix(spec.seed(), which, i));
        // negative information draws from its own stream, so that a sample's clean content is the
        // same at every negative fraction and undetectable share
        SplittableRandom neg = new SplittableRandom(SyntheticGenerator.mix(spec.seed() ^ 0x4E6EL, which, i));
        Sample s = new Sample();
        double sum = 0;
        for (int m = 0; m < 3; m++) {
            s.shares[m] = SHARE_STD * rng.nextGaussian();
            sum += s.shares[m];
        }
        s.sentiment = Math.max(-3, Math.min(3, sum));
        s.label = SyntheticGenerator.annotatorMean(rng, s.sentiment);
        double[] shown = s.shares.clone();
        if (neg.nextDouble() < spec.negativeFraction()) {
            int m = neg.nextInt(3);
            s.negativeModality = (byte) (NegativeInfo.MOD_TEXT + m);
            double u = SHARE_STD * neg.nextGaussian();
            if (neg.nextDouble() < undetectableShare) {
                s.negative = NegativeInfo.CONFLICT;
                shown[m] = -Math.signum(s.sentiment) * Math.abs(u);
            } else {
                s.negative = m == 0 ? NegativeInfo.GARBLE : NegativeInfo.NOISE;
            }
        }
        int words = 6 + rng.nextInt(Math.max(1, Math.min(5, spec.textLen() - 7)));
        s.length = words + 2;
        s.tokens = text(rng, shown[0], words);
        s.audio = frames(rng, s.length, shown[1], audioDirection);
        s.vision = frames(rng, s.length, shown[2], visionDirection);
        if (s.negative == NegativeInfo.GARBLE) {
            for (int t = 1; t <= words; t++) {
                s.tokens[t] = firstGarbled + neg.nextInt(GARBLED_IDS);
            }
        } else if (s.negative == NegativeInfo.NOISE) {
            float[][] frames = s.negativeModality == NegativeInfo.MOD_AUDIO ? s.audio : s.vision;
            for (float[] frame : frames) {
                for (int d = 0; d < frame.length; d++) {
                    frame[d] = (float) (NOISE_STD * neg.nextGaussian());
                }
            }
        }
        return s;
    }

    private int[] text(SplittableRandom rng, double share, int words) {
        int[] tokens = new int[spec.textLen()];
        tokens[0] = CLS;
        for (int k = 1; k <= words; k++) {
            int v = 0;
            if (rng.nextDouble() < SENTIMENT_RATE) {
                v = (int) Math.max(-3, Math.min(3, Math.rint(WORD_SCALE * share + WORD_VALUE_NOISE * rng.nextGaussian())));
            }
            tokens[k] = v == 0 ? vocab.neutralWord(rng) : vocab.sentimentWord(rng, v);
        }
        tokens[words + 1] = SEP;
        return tokens;
    }

    /** @return the sentiment value a token id expresses (0 for neutral, garbled and special tokens) */
    int wordValue(int token) {
        return vocab.value(token);
    }

    private static float[][] frames(SplittableRandom rng, int length, double share, double[] direction) {
        int dim = direction.length;
        double[] offset = new double[dim];
        double[] noise = new double[dim];
        for (int d = 0; d < dim; d++) {
            offset[d] = SPEAKER_STD * rng.nextGaussian();
            noise[d] = rng.nextGaussian();
        }
        double innovation = Math.sqrt(1 - FRAME_NOISE_AR * FRAME_NOISE_AR);
        float[][] out = new float[length][dim];
        for (int t = 0; t < length; t++) {
            for (int d = 0; d < dim; d++) {
                noise[d] = FRAME_NOISE_AR * noise[d] + innovation * rng.nextGaussian();
                out[t][d] = (float) (offset[d] + noise[d] + FRAME_AMP * share * direction[d]);
            }
        }
        return out;
    }

}
