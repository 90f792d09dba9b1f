package org.mecam.data.synthetic;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.mecam.config.Preset;
import org.mecam.data.FloatTensor3;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;

/**
 * Random data at a preset's full padded shapes, every token and frame valid: the worst case of
 * a shape, used by benchmarks so that step times do not depend on a length distribution.
 */
public final class FullLengthData {

    private FullLengthData() {}

    /**
     * @param preset the shapes
     * @param n samples per split
     * @param vocabSize token ids drawn from [5, vocabSize)
     * @param seed random seed
     */
    public static MultimodalDataset of(Preset preset, int n, int vocabSize, long seed) {
        SyntheticSpec spec = SyntheticSpec.preset(preset, 0, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        Split split = split(spec, n, vocabSize, rng);
        MultimodalDataset.Info info = new MultimodalDataset.Info("full-length " + preset.key(),
                "random full-length data at " + preset.key() + " shapes", spec.textLen(), spec.textDim(), vocabSize,
                spec.audioLen(), SyntheticSpec.AUDIO_DIM, spec.visionLen(), SyntheticSpec.VISION_DIM, spec.aligned(),
                SyntheticGenerator.UNK);
        return new MultimodalDataset(info, split, split, split);
    }

    private static Split split(SyntheticSpec spec, int n, int vocab, SplittableRandom rng) {
        FloatTensor3 text = fill(FloatTensor3.zeros(n, spec.textLen(), spec.textDim()), rng);
        FloatTensor3 audio = fill(FloatTensor3.zeros(n, spec.audioLen(), SyntheticSpec.AUDIO_DIM), rng);
        FloatTensor3 vision = fill(FloatTensor3.zeros(n, spec.visionLen(), SyntheticSpec.VISION_DIM), rng);
        int[] ids = new int[n * spec.textLen()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % spec.textLen() == 0 ? SyntheticGenerator.CLS : 5 + rng.nextInt(vocab - 5);
        }
        float[] labels = new float[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = Math.round((rng.nextDouble() * 6 - 3) * 5) / 5f;
            names[i] = "bench$_$" + i;
        }
        return Split.builder("bench").textFeatures(text, null).textIds(ids, spec.textLen())
                .textLengths(constant(n, spec.textLen())).audio(audio, constant(n, spec.audioLen()), null)
                .vision(vision, constant(n, spec.visionLen()), null).labels(labels).ids(names).build();
    }

    private static FloatTensor3 fill(FloatTensor3 t, SplittableRandom rng) {
        for (int i = 0; i < t.size(); i++) {
            float[] c = t.chunkOf(i);
            int o = t.offsetOf(i);
            for (int k = 0; k < t.length() * t.dim(); k++) {
                c[o + k] = (float) rng.nextGaussian();
            }
        }
        return t;
    }

    private static int[] constant(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }
}
