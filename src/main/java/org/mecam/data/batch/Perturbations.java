package org.mecam.data.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.mecam.config.Modality;
import org.mecam.data.FrameStore;
import org.mecam.data.Split;

/**
 * Applies {@link Perturbation}s to samples as they are batched. Test-set perturbations are
 * deterministic per (seed, split, sample, kind), so that every method sees the same corrupted
 * test set; training augmentation draws fresh corruption on every call.
 */
public final class Perturbations implements BatchBuilder.FrameTransform {

    private final List<Perturbation> perturbations;
    private final long seed;
    private final int unknownToken;
    private final AtomicLong calls;
    private final Map<String, double[]> featureStd = new HashMap<>();
    private final Map<String, int[][]> polarity = new HashMap<>();

    private Perturbations(List<Perturbation> perturbations, long seed, int unknownToken, boolean fresh) {
        this.perturbations = List.copyOf(perturbations);
        this.seed = seed;
        this.unknownToken = unknownToken;
        this.calls = fresh ? new AtomicLong() : null;
    }

    /**
     * @param unknownToken the [UNK] id that dropped words become in token-id text
     * @return a transform that perturbs each sample the same way every time
     */
    public static Perturbations test(List<Perturbation> perturbations, long seed, int unknownToken) {
        return new Perturbations(perturbations, seed, unknownToken, false);
    }

    /** @return a transform that draws new corruption on every call (training augmentation) */
    public static Perturbations augmentation(List<Perturbation> perturbations, long seed, int unknownToken) {
        return new Perturbations(perturbations, seed, unknownToken, true);
    }

    public List<Perturbation> perturbations() {
        return perturbations;
    }

    @Override
    public void apply(Split split, int index, BatchBuilder.SampleView v) {
        long call = calls == null ? 0 : calls.incrementAndGet();
        for (Perturbation p : perturbations) {
            if (p.level() == 0) {
                continue;
            }
            SplittableRandom rng = new SplittableRandom(mix(seed, split.name.hashCode(), index, p.kind().ordinal(), call));
            switch (p.kind()) {
                case TEXT_DROP:
                    dropWords(split, v, p.level(), unknownToken, rng);
                    break;
                case TEXT_SHUFFLE:
                    shuffleWords(split, v, p.level(), rng);
                    break;
                case AUDIO_DROP:
                    dropFrames(v.audio, v.audioLength, p.level(), rng);
                    break;
                case VISION_DROP:
                    dropFrames(v.vision, v.visionLength, p.level(), rng);
                    break;
                case AUDIO_NOISE:
                    noise(v.audio, v.audioLength, p.level(), std(split, Modality.AUDIO), rng);
                    break;
                case VISION_NOISE:
                    noise(v.vision, v.visionLength, p.level(), std(split, Modality.VISION), rng);
                    break;
                case AUDIO_BLUR:
                    blur(v.audio, v.audioLength, p.level());
                    break;
                case VISION_BLUR:
                    blur(v.vision, v.visionLength, p.level());
                    break;
                default:
                    conflict(split, index, v, p, rng);
            }
        }
    }

    /** @return the text positions that hold words: all valid ones but [CLS] and [SEP] when the text has ids */
    static int[] wordPositions(Split split, int length) {
        boolean special = split.textIds != null && length >= 3;
        int from = special ? 1 : 0;
        int to = special ? length - 1 : length;
        int[] out = new int[Math.max(0, to - from)];
        for (int k = 0; k < out.length; k++) {
            out[k] = from + k;
        }
        return out;
    }

    /** @return {@code k} distinct elements of {@code from}, chosen uniformly */
    static int[] choose(int[] from, int k, SplittableRandom rng) {
        int[] pool = from.clone();
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return Arrays.copyOf(pool, k);
    }

    private static void dropWords(Split split, BatchBuilder.SampleView v, double p, int unk, SplittableRandom rng) {
        int[] words = wordPositions(split, v.textLength);
        for (int t : choose(words, (int) Math.round(p * words.length), rng)) {
            if (v.textFeatures != null) {
                Arrays.fill(v.textFeatures[t], 0f);
            }
            if (v.textIds != null) {
                v.textIds[t] = unk;
            }
        }
    }

    private static void shuffleWords(Split split, BatchBuilder.SampleView v, double p, SplittableRandom rng) {
        int[] words = wordPositions(split, v.textLength);
        int[] chosen = choose(words, (int) Math.round(p * words.length), rng);
        if (chosen.length < 2) {
            return;
        }
        int[] target = chosen.clone();
        int shift = 1 + rng.nextInt(chosen.length - 1);
        float[][] features = v.textFeatures == null ? null : new float[chosen.length][];
        int[] ids = v.textIds == null ? null : new int[chosen.length];
        for (int k = 0; k < chosen.length; k++) {
            int from = chosen[(k + shift) % chosen.length];
            if (features != null) {
                features[k] = v.textFeatures[from];
            }
            if (ids != null) {
                ids[k] = v.textIds[from];
            }
        }
        for (int k = 0; k < target.length; k++) {
            if (features != null) {
                v.textFeatures[target[k]] = features[k];
            }
            if (ids != null) {
                v.textIds[target[k]] = ids[k];
            }
        }
    }

    private static void dropFrames(float[][] frames, int length, double p, SplittableRandom rng) {
        int[] valid = new int[length];
        for (int t = 0; t < length; t++) {
            valid[t] = t;
        }
        for (int t : choose(valid, (int) Math.round(p * length), rng)) {
            Arrays.fill(frames[t], 0f);
        }
    }

    private static void noise(float[][] frames, int length, double p, double[] std, SplittableRandom rng) {
        for (int t = 0; t < length; t++) {
            for (int d = 0; d < frames[t].length; d++) {
                frames[t][d] += (float) (p * std[d] * rng.nextGaussian());
            }
        }
    }

    /** Centered moving average of width 1 + round(10 p) over the valid frames, truncated at the ends. */
    static void blur(float[][] frames, int length, double p) {
        int width = 1 + (int) Math.round(10 * p);
        if (width <= 1 || length == 0) {
            return;
        }
        int dim = frames[0].length;
        float[][] out = new float[length][dim];
        int before = (width - 1) / 2;
        int after = width / 2;
        for (int t = 0; t < length; t++) {
            int from = Math.max(0, t - before);
            int to = Math.min(length - 1, t + after);
            for (int s = from; s <= to; s++) {
                for (int d = 0; d < dim; d++) {
                    out[t][d] += frames[s][d];
                }
            }
            for (int d = 0; d < dim; d++) {
                out[t][d] /= (to - from + 1);
            }
        }
        System.arraycopy(out, 0, frames, 0, length);
    }

    private void conflict(Split split, int index, BatchBuilder.SampleView v, Perturbation p, SplittableRandom rng) {
        if (rng.nextDouble() >= p.level()) {
            return;
        }
        int[][] pol = polarity.computeIfAbsent(split.name, k -> polarities(split));
        float y = split.labels[index];
        int[] donors = y > 0 ? pol[0] : y < 0 ? pol[1] : pol[rng.nextInt(2)];
        if (donors.length == 0) {
            return;
        }
        int d = donors[rng.nextInt(donors.length)];
        switch (p.kind().modality()) {
            case TEXT:
                v.textLength = split.textLengths[d];
                if (v.textFeatures != null) {
                    v.textFeatures = split.textFeatures.frames(d, split.textStart[d], v.textLength);
                }
                if (v.textIds != null) {
                    v.textIds = Arrays.copyOfRange(split.textIds, d * split.textLen, (d + 1) * split.textLen);
                }
                break;
            case AUDIO:
                v.audioLength = split.audioLengths[d];
                v.audio = split.audio.frames(d, split.audioStart[d], v.audioLength);
                break;
            default:
                v.visionLength = split.visionLengths[d];
                v.vision = split.vision.frames(d, split.visionStart[d], v.visionLength);
        }
    }

    /** @return {indices with label &lt; 0, indices with label &gt; 0} */
    private static int[][] polarities(Split split) {
        List<Integer> neg = new ArrayList<>();
        List<Integer> pos = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            if (split.labels[i] < 0) {
                neg.add(i);
            } else if (split.labels[i] > 0) {
                pos.add(i);
            }
        }
        return new int[][] {neg.stream().mapToInt(Integer::intValue).toArray(), pos.stream().mapToInt(Integer::intValue).toArray()};
    }

    /** Per-feature std over the valid frames of the split, computed once per split and modality. */
    private synchronized double[] std(Split split, Modality modality) {
        return featureStd.computeIfAbsent(split.name + modality, k -> {
            FrameStore store = modality == Modality.AUDIO ? split.audio : split.vision;
            int[] lengths = modality == Modality.AUDIO ? split.audioLengths : split.visionLengths;
            int[] starts = modality == Modality.AUDIO ? split.audioStart : split.visionStart;
            double[] sum = new double[store.dim()];
            double[] sq = new double[store.dim()];
            long count = 0;
            for (int i = 0; i < split.size(); i++) {
                for (float[] frame : store.frames(i, starts[i], lengths[i])) {
                    for (int d = 0; d < frame.length; d++) {
                        sum[d] += frame[d];
                        sq[d] += (double) frame[d] * frame[d];
                    }
                    count++;
                }
            }
            double[] out = new double[store.dim()];
            for (int d = 0; d < out.length; d++) {
                double mean = sum[d] / Math.max(1, count);
                out[d] = Math.sqrt(Math.max(0, sq[d] / Math.max(1, count) - mean * mean));
            }
            return out;
        });
    }

    private static long mix(long seed, long a, long b, long c, long d) {
        long z = seed * 0x9E3779B97F4A7C15L ^ a * 0xBF58476D1CE4E5B9L ^ b * 0x94D049BB133111EBL ^ c * 0xD6E8FEB86659FD93L
                ^ d * 0xA0761D6478BD642FL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
