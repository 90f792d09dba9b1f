package org.mecam.data.batch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mecam.config.Modality;
import org.mecam.data.FrameStore;
import org.mecam.data.Split;
import org.mecam.engine.NativeArrays;

/**
 * Turns samples of a split into {@link Batch}es, in native memory that is freed when the batch
 * is closed (after backward).
 */
public final class BatchBuilder {

    private final Split split;
    private final boolean textIds;
    private final FrameTransform transform;

    /**
     * Changes a sample's frames before batching (training-time augmentation); it works on copies.
     */
    public interface FrameTransform {
        /**
         * @param split the split
         * @param index the sample's index in it
         * @param sample a mutable copy of the sample
         */
        void apply(Split split, int index, SampleView sample);
    }

    /** A mutable copy of one sample's valid frames (right-aligned), with their lengths. */
    public static final class SampleView {
        /** Valid token features [textLength][Dt] or null. */
        public float[][] textFeatures;
        /** Token ids [Lt] or null. */
        public int[] textIds;
        public int textLength;
        public float[][] audio;
        public int audioLength;
        public float[][] vision;
        public int visionLength;
    }

    /**
     * @param split the split to draw from
     * @param textIds feed token ids (BERT / TorchScript) instead of token features
     * @param transform augmentation applied to each sample, or null
     */
    public BatchBuilder(Split split, boolean textIds, FrameTransform transform) {
        if (textIds && split.textIds == null) {
            throw new IllegalArgumentException("split '" + split.name + "' has no token ids for BERT mode"
                    + " (MMSA: key text_bert; MulT: give --vocab to tokenise the CSV text)");
        }
        if (!textIds && split.textFeatures == null) {
            throw new IllegalArgumentException("split '" + split.name + "' has no text features for feature mode");
        }
        this.split = split;
        this.textIds = textIds;
        this.transform = transform;
    }

    public Split split() {
        return split;
    }

    /** @return batches of the given size over all samples, shuffled with {@code rng} or in order if null */
    public static List<int[]> plan(int n, int batchSize, Random rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (rng != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < n; s += batchSize) {
            int[] b = new int[Math.min(batchSize, n - s)];
            System.arraycopy(order, s, b, 0, b.length);
            out.add(b);
        }
        return out;
    }

    /** Builds a batch in a new sub-manager of {@code parent}. */
    public Batch build(NDManager parent, int[] indices) {
        NDManager m = parent.newSubManager();
        try {
            SampleView[] views = transform == null ? null : views(indices);
            float[] labels = new float[indices.length];
            for (int k = 0; k < indices.length; k++) {
                labels[k] = split.labels[indices[k]];
            }
            NDArray labelArray = NativeArrays.floats(m, labels);
            Batch.Sequence text = textIds ? idSequence(m, indices, views) : textFeatures(m, indices, views);
            Batch.Sequence audio = frames(m, indices, split.audio, split.audioLengths, views, Modality.AUDIO);
            Batch.Sequence vision = frames(m, indices, split.vision, split.visionLengths, views, Modality.VISION);
            return new Batch(m, indices, labelArray, labels, text, audio, vision);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private SampleView[] views(int[] indices) {
        SampleView[] out = new SampleView[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = view(split, indices[k], transform);
        }
        return out;
    }

    /** @return a copy of one sample's valid frames, perturbed by {@code transform} when given */
    public static SampleView view(Split split, int i, FrameTransform transform) {
        SampleView v = new SampleView();
        if (split.textFeatures != null) {
            v.textFeatures = split.textFeatures.frames(i, split.textStart[i], split.textLengths[i]);
        }
        if (split.textIds != null) {
            v.textIds = new int[split.textLen];
            System.arraycopy(split.textIds, i * split.textLen, v.textIds, 0, split.textLen);
        }
        v.textLength = split.textLengths[i];
        v.audio = split.audio.frames(i, split.audioStart[i], split.audioLengths[i]);
        v.audioLength = split.audioLengths[i];
        v.vision = split.vision.frames(i, split.visionStart[i], split.visionLengths[i]);
        v.visionLength = split.visionLengths[i];
        if (transform != null) {
            transform.apply(split, i, v);
        }
        return v;
    }

    private Batch.Sequence textFeatures(NDManager m, int[] indices, SampleView[] views) {
        int[] lengths = lengths(indices, split.textLengths, views, Modality.TEXT);
        int len = max(lengths);
        int dim = split.textFeatures.dim();
        NDArray data = NativeArrays.floats(m, new Shape(indices.length, len, dim), buf -> {
            for (int k = 0; k < indices.length; k++) {
                buf.position(k * len * dim);
                if (views == null) {
                    split.textFeatures.copyFrames(indices[k], split.textStart[indices[k]], lengths[k], buf);
                } else {
                    putFrames(buf, views[k].textFeatures, lengths[k]);
                }
            }
        });
        return new Batch.Sequence(data, mask(m, lengths, len), last(m, lengths), lengths);
    }

    private Batch.Sequence idSequence(NDManager m, int[] indices, SampleView[] views) {
        int[] lengths = lengths(indices, split.textLengths, views, Modality.TEXT);
        int len = max(lengths);
        NDArray data = NativeArrays.longs(m, new Shape(indices.length, len), ids -> {
            for (int k = 0; k < indices.length; k++) {
                for (int t = 0; t < lengths[k]; t++) {
                    ids.put(k * len + t, views == null ? split.tokenId(indices[k], t) : views[k].textIds[t]);
                }
            }
        });
        return new Batch.Sequence(data, mask(m, lengths, len), last(m, lengths), lengths);
    }

    private Batch.Sequence frames(NDManager m, int[] indices, FrameStore src, int[] srcLengths,
            SampleView[] views, Modality modality) {
        int[] starts = modality == Modality.AUDIO ? split.audioStart : split.visionStart;
        int[] lengths = lengths(indices, srcLengths, views, modality);
        int len = max(lengths);
        int dim = src.dim();
        NDArray data = NativeArrays.floats(m, new Shape(indices.length, len, dim), buf -> {
            for (int k = 0; k < indices.length; k++) {
                buf.position(k * len * dim);
                if (views == null) {
                    src.copyFrames(indices[k], starts[indices[k]], lengths[k], buf);
                } else {
                    putFrames(buf, modality == Modality.AUDIO ? views[k].audio : views[k].vision, lengths[k]);
                }
            }
        });
        return new Batch.Sequence(data, mask(m, lengths, len), last(m, lengths), lengths);
    }

    private static int[] lengths(int[] indices, int[] src, SampleView[] views, Modality modality) {
        int[] out = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            if (views == null) {
                out[k] = src[indices[k]];
            } else {
                out[k] = modality == Modality.TEXT ? views[k].textLength
                        : modality == Modality.AUDIO ? views[k].audioLength : views[k].visionLength;
            }
        }
        return out;
    }

    private static void putFrames(FloatBuffer buf, float[][] frames, int length) {
        for (int t = 0; t < length; t++) {
            buf.put(frames[t]);
        }
    }

    private static NDArray mask(NDManager m, int[] lengths, int len) {
        float[] mask = new float[lengths.length * len];
        for (int k = 0; k < lengths.length; k++) {
            for (int t = 0; t < lengths[k]; t++) {
                mask[k * len + t] = 1f;
            }
        }
        return NativeArrays.floats(m, mask, new Shape(lengths.length, len));
    }

    private static NDArray last(NDManager m, int[] lengths) {
        long[] last = new long[lengths.length];
        for (int k = 0; k < lengths.length; k++) {
            last[k] = lengths[k] - 1;
        }
        return NativeArrays.longs(m, last);
    }

    private static int max(int[] a) {
        int m = 1;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

}
