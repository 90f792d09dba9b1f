package org.mecam.data.synthetic;

import java.util.SplittableRandom;
import org.mecam.data.FloatTensor3;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;

/**
 * Generates the synthetic dataset: every sample has a latent sentiment s from which its label
 * (the mean of five simulated annotators' integer scores, in steps of 0.2) and each modality are
 * drawn, each modality with its own signal-to-noise ratio.
 *
 * <ul>
 *   <li>Text: [CLS] words [SEP]. A word slot carries sentiment with probability 0.35: a word from
 *       one of six sentiment groups (values -3..-1, 1..3) close to s, expressed in 30% of cases
 *       as "not" + a word of the opposite value, so that word order matters. Token features are a
 *       fixed random embedding of the token plus noise; as in pretrained embeddings, words of
 *       the same polarity share a direction (shifted along it by 1.5 std per unit of value), so
 *       that what is learnt from some words carries over to others.
 *   <li>Audio and vision: AR(1) noise frames plus a per-speaker offset, plus s times a fixed
 *       direction (valence) and |s| times another (arousal), modulated by an envelope: aligned
 *       presets raise frames aligned with sentiment words, unaligned presets use 1-3 bumps.
 * </ul>
 *
 * <p>A fraction of the samples gets one kind of negative information ({@link NegativeInfo}):
 * a modality drawn with the opposite sentiment (conflict), noise frames, dropped frames, or
 * shuffled words; each sample records which kind and modality it got. Generation is
 * deterministic from the seed, and each sample depends only on (seed, split, index).
 */
public final class SyntheticGenerator {

    static final int PAD = 0;
    static final int UNK = 1;
    public static final int CLS = 2;
    public static final int SEP = 3;
    static final int NOT = 4;
    private static final int FIRST_WORD = 5;
    private static final String[] SPLITS = {"train", "valid", "test"};

    private final SyntheticSpec spec;
    private final WordGroups vocab;
    private final float[][] embedding;
    private final double[][] audioDirections;
    private final double[][] visionDirections;

    public SyntheticGenerator(SyntheticSpec spec) {
        this.spec = spec;
        this.vocab = new WordGroups(FIRST_WORD, Math.max(2, (spec.vocabSize() - FIRST_WORD) / 20), spec.vocabSize());
        if (vocab.firstNeutral() >= spec.vocabSize()) {
            throw new IllegalArgumentException("vocabulary of " + spec.vocabSize() + " is too small");
        }
        SplittableRandom rng = new SplittableRandom(spec.seed() ^ 0x5EEDL);
        double[] polarity = unit(rng, spec.textDim());
        embedding = new float[spec.vocabSize()][spec.textDim()];
        for (int v = 1; v < spec.vocabSize(); v++) {
            double shift = SyntheticSpec.EMBEDDING_POLARITY * wordValue(v);
            for (int d = 0; d < spec.textDim(); d++) {
                embedding[v][d] = (float) (rng.nextGaussian() + shift * polarity[d]);
            }
        }
        audioDirections = new double[][] {unit(rng, SyntheticSpec.AUDIO_DIM), unit(rng, SyntheticSpec.AUDIO_DIM)};
        visionDirections = new double[][] {unit(rng, SyntheticSpec.VISION_DIM), unit(rng, SyntheticSpec.VISION_DIM)};
    }

    /** @return the dataset of the spec */
    public MultimodalDataset generate() {
        Split train = split(0, spec.trainSize());
        Split valid = split(1, spec.validSize());
        Split test = split(2, spec.testSize());
        MultimodalDataset.Info info = new MultimodalDataset.Info(
                "synthetic",
                "synthetic generator, " + (spec.aligned() ? "aligned" : "unaligned")
                        + ", seed " + spec.seed() + ", negative fraction " + spec.negativeFraction(),
                spec.textLen(),
                spec.textDim(),
                spec.vocabSize(),
                spec.audioLen(),
                SyntheticSpec.AUDIO_DIM,
                spec.visionLen(),
                SyntheticSpec.VISION_DIM,
                spec.aligned(),
                UNK);
        return new MultimodalDataset(info, train, valid, test);
    }

    /** Generates one split. */
    Split split(int which, int n) {
        int lt = spec.textLen();
        FloatTensor3 text = FloatTensor3.zeros(n, lt, spec.textDim());
        int[] ids = new int[n * lt];
        int[] textLengths = new int[n];
        FloatTensor3 audio = FloatTensor3.zeros(n, spec.audioLen(), SyntheticSpec.AUDIO_DIM);
        FloatTensor3 vision = FloatTensor3.zeros(n, spec.visionLen(), SyntheticSpec.VISION_DIM);
        int[] audioLengths = new int[n];
        int[] visionLengths = new int[n];
        float[] labels = new float[n];
        float[] latent = new float[n];
        String[] sampleIds = new String[n];
        NegativeInfo[] negative = new NegativeInfo[n];
        byte[] negativeModality = new byte[n];
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = new SplittableRandom(mix(spec.seed(), which, i));
            Sample s = sample(rng);
            System.arraycopy(s.tokens, 0, ids, i * lt, lt);
            textLengths[i] = s.textLength;
            for (int t = 0; t < s.textLength; t++) {
                float[] e = embedding[s.tokens[t]];
                for (int d = 0; d < e.length; d++) {
                    text.set(i, t, d, e[d] + (float) (SyntheticSpec.TOKEN_NOISE * rng.nextGaussian()));
                }
            }
            write(audio, i, s.audio);
            write(vision, i, s.vision);
            audioLengths[i] = s.audio.length;
            visionLengths[i] = s.vision.length;
            labels[i] = s.label;
            latent[i] = (float) s.latent;
            negative[i] = s.negative;
            negativeModality[i] = s.negativeModality;
            sampleIds[i] = String.format("synth%d_%s$_$%d", spec.seed(), SPLITS[which], i);
        }
        return Split.builder(SPLITS[which]).textFeatures(text, null).textIds(ids, lt).textLengths(textLengths)
                .audio(audio, audioLengths, null).vision(vision, visionLengths, null).labels(labels).ids(sampleIds)
                .negative(negative, negativeModality).latent(latent).build();
    }

    /** One generated sample before it is written into the split's arrays. */
    private static final class Sample {
        int[] tokens;
        int textLength;
        float[][] audio;
        float[][] vision;
        float label;
        double latent;
        NegativeInfo negative = NegativeInfo.NONE;
        byte negativeModality = NegativeInfo.MOD_NONE;
    }

    private Sample sample(SplittableRandom rng) {
        Sample s = new Sample();
        s.latent = latentSentiment(rng);
        s.label = annotatorMean(rng, s.latent);
        byte conflictModality = NegativeInfo.MOD_NONE;
        if (rng.nextDouble() < spec.negativeFraction()) {
            s.negative = NegativeInfo.values()[1 + rng.nextInt(4)];
            switch (s.negative) {
                case CONFLICT:
                    s.negativeModality = (byte) (1 + rng.nextInt(3));
                    conflictModality = s.negativeModality;
                    break;
                case SHUFFLE:
                    s.negativeModality = NegativeInfo.MOD_TEXT;
                    break;
                default:
                    s.negativeModality = (byte) (2 + rng.nextInt(2));
            }
        }
        double opposite = s.latent >= 0 ? -Math.max(1.5, s.latent) : Math.max(1.5, -s.latent);
        int words = Math.max(1, Math.min(spec.textLen() - 2,
                (int) Math.round(Math.exp(Math.log(spec.meanWords()) + 0.45 * rng.nextGaussian()))));
        boolean[] expressive = new boolean[spec.textLen()];
        s.tokens = text(rng, conflictModality == NegativeInfo.MOD_TEXT ? opposite : s.latent, words, expressive);
        s.textLength = words + 2;
        if (s.negative == NegativeInfo.SHUFFLE) {
            shuffleWords(rng, s.tokens, s.textLength);
        }
        int la = spec.aligned() ? s.textLength : frames(rng, s.textLength, 7.5, spec.audioLen());
        int lv = spec.aligned() ? s.textLength : frames(rng, s.textLength, 10.0, spec.visionLen());
        s.audio = frames(rng, la, conflictModality == NegativeInfo.MOD_AUDIO ? opposite : s.latent,
                audioDirections, SyntheticSpec.AUDIO_AMP, expressive);
        s.vision = frames(rng, lv, conflictModality == NegativeInfo.MOD_VISION ? opposite : s.latent,
                visionDirections, SyntheticSpec.VISION_AMP, expressive);
        if (s.negative == NegativeInfo.NOISE || s.negative == NegativeInfo.DROP) {
            corruptFrames(rng, s.negativeModality == NegativeInfo.MOD_AUDIO ? s.audio : s.vision,
                    s.negative == NegativeInfo.NOISE);
        }
        return s;
    }

    /** A mixture like MOSI's: mostly clearly negative or positive, some neutral. */
    private static double latentSentiment(SplittableRandom rng) {
        double u = rng.nextDouble();
        double v;
        if (u < 0.12) {
            v = 0.35 * rng.nextGaussian();
        } else if (u < 0.54) {
            v = -1.4 + 0.8 * rng.nextGaussian();
        } else {
            v = 1.3 + 0.8 * rng.nextGaussian();
        }
        return Math.max(-3, Math.min(3, v));
    }

    /** Five annotators' integer scores around the latent sentiment, averaged (steps of 0.2). */
    static float annotatorMean(SplittableRandom rng, double latent) {
        int sum = 0;
        for (int k = 0; k < 5; k++) {
            sum += (int) Math.max(-3, Math.min(3, Math.rint(latent + 0.5 * rng.nextGaussian())));
        }
        return sum / 5f;
    }

    private int[] text(SplittableRandom rng, double sentiment, int words, boolean[] expressive) {
        int[] tokens = new int[spec.textLen()];
        tokens[0] = CLS;
        boolean any = false;
        int k = 1;
        while (k <= words) {
            boolean last = k == words;
            if (rng.nextDouble() < SyntheticSpec.SENTIMENT_RATE || (last && !any)) {
                int v = (int) Math.max(-3, Math.min(3,
                        Math.rint(sentiment + SyntheticSpec.WORD_VALUE_NOISE * rng.nextGaussian())));
                if (v != 0) {
                    any = true;
                    if (!last && rng.nextDouble() < SyntheticSpec.NEGATION_RATE) {
                        tokens[k] = NOT;
                        tokens[k + 1] = vocab.sentimentWord(rng, -v);
                        expressive[k] = true;
                        expressive[k + 1] = true;
                        k += 2;
                    } else {
                        tokens[k] = vocab.sentimentWord(rng, v);
                        expressive[k] = true;
                        k++;
                    }
                    continue;
                }
            }
            tokens[k++] = vocab.neutralWord(rng);
        }
        tokens[words + 1] = SEP;
        return tokens;
    }

    /** @return the sentiment value a token id expresses (0 for neutral and special tokens) */
    public int wordValue(int token) {
        return vocab.value(token);
    }

    private static void shuffleWords(SplittableRandom rng, int[] tokens, int length) {
        for (int i = length - 2; i > 1; i--) {
            int j = 1 + rng.nextInt(i);
            int tmp = tokens[i];
            tokens[i] = tokens[j];
            tokens[j] = tmp;
        }
    }

    private static int frames(SplittableRandom rng, int tokens, double perToken, int max) {
        double scale = 0.8 + 0.45 * rng.nextDouble();
        return (int) Math.max(4, Math.min(max, Math.round(tokens * perToken * scale)));
    }

    private float[][] frames(SplittableRandom rng, int length, double sentiment, double[][] directions,
            double amp, boolean[] expressive) {
        int dim = directions[0].length;
        double[] envelope = envelope(rng, length, expressive);
        double[] offset = new double[dim];
        double[] noise = new double[dim];
        for (int d = 0; d < dim; d++) {
            offset[d] = SyntheticSpec.SPEAKER_STD * rng.nextGaussian();
            noise[d] = rng.nextGaussian();
        }
        double ar = SyntheticSpec.FRAME_NOISE_AR;
        double innovation = Math.sqrt(1 - ar * ar);
        float[][] out = new float[length][dim];
        for (int t = 0; t < length; t++) {
            double valence = amp * sentiment * envelope[t];
            double arousal = SyntheticSpec.AROUSAL_AMP * Math.abs(sentiment) * envelope[t];
            for (int d = 0; d < dim; d++) {
                noise[d] = ar * noise[d] + innovation * rng.nextGaussian();
                out[t][d] = (float) (offset[d] + noise[d] + valence * directions[0][d] + arousal * directions[1][d]);
            }
        }
        return out;
    }

    /** Aligned: 1 on frames of sentiment words, 0.25 elsewhere. Unaligned: 1-3 bumps over 0.25. */
    private double[] envelope(SplittableRandom rng, int length, boolean[] expressive) {
        double[] env = new double[length];
        if (spec.aligned()) {
            for (int t = 0; t < length; t++) {
                env[t] = t < expressive.length && expressive[t] ? 1.0 : 0.25;
            }
            return env;
        }
        int bumps = 1 + rng.nextInt(3);
        double width = Math.max(1.0, length / 8.0);
        for (int b = 0; b < bumps; b++) {
            double center = rng.nextDouble() * length;
            for (int t = 0; t < length; t++) {
                double z = (t - center) / width;
                env[t] = Math.max(env[t], Math.exp(-0.5 * z * z));
            }
        }
        for (int t = 0; t < length; t++) {
            env[t] = 0.25 + 0.75 * env[t];
        }
        return env;
    }

    /** Replaces (noise) or zeroes (drop) 30-60% of the valid frames (at least one), at random positions. */
    private static void corruptFrames(SplittableRandom rng, float[][] frames, boolean noise) {
        double fraction = 0.3 + 0.3 * rng.nextDouble();
        int count = Math.max(1, (int) Math.round(fraction * frames.length));
        int[] order = new int[frames.length];
        for (int t = 0; t < order.length; t++) {
            order[t] = t;
        }
        for (int k = 0; k < count; k++) {
            int j = k + rng.nextInt(order.length - k);
            int chosen = order[j];
            order[j] = order[k];
            order[k] = chosen;
            for (int d = 0; d < frames[chosen].length; d++) {
                frames[chosen][d] = noise ? (float) (3.0 * rng.nextGaussian()) : 0f;
            }
        }
    }

    private static void write(FloatTensor3 dst, int i, float[][] frames) {
        for (int t = 0; t < frames.length; t++) {
            for (int d = 0; d < frames[t].length; d++) {
                dst.set(i, t, d, frames[t][d]);
            }
        }
    }

    static double[] unit(SplittableRandom rng, int dim) {
        double[] v = new double[dim];
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            v[d] = rng.nextGaussian();
            norm += v[d] * v[d];
        }
        norm = Math.sqrt(norm);
        for (int d = 0; d < dim; d++) {
            v[d] /= norm;
        }
        return v;
    }

    static long mix(long seed, int split, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + split * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
