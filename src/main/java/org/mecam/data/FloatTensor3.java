package org.mecam.data;

import java.nio.FloatBuffer;

/**
 * A float array of shape [N, L, D] held in chunks of whole samples, so that arrays larger than
 * one Java array (MOSEI's text features are 2.5 GB) need no single allocation.
 */
public final class FloatTensor3 extends FrameStore.Sized {

    /** At most 2^27 floats (512 MiB) per chunk. */
    static final int MAX_CHUNK_FLOATS = 1 << 27;

    private final int perChunk;
    private final float[][] chunks;

    private FloatTensor3(int n, int len, int dim) {
        super(n, len, dim);
        long sample = (long) len * dim;
        if (sample > MAX_CHUNK_FLOATS) {
            throw new IllegalArgumentException("one sample of [" + len + ", " + dim + "] is too large");
        }
        this.perChunk = (int) Math.max(1, MAX_CHUNK_FLOATS / sample);
        int count = (n + perChunk - 1) / perChunk;
        this.chunks = new float[count][];
        for (int c = 0; c < count; c++) {
            int samples = Math.min(perChunk, n - c * perChunk);
            chunks[c] = new float[(int) (samples * sample)];
        }
    }

    /** @return a zero-filled tensor */
    public static FloatTensor3 zeros(int n, int len, int dim) {
        return new FloatTensor3(n, len, dim);
    }

    /** @return the chunk that holds sample {@code i} */
    public float[] chunkOf(int i) {
        return chunks[i / perChunk];
    }

    /** @return the offset of sample {@code i} inside {@link #chunkOf(int)} */
    public int offsetOf(int i) {
        return (i % perChunk) * len * dim;
    }

    @Override
    public float get(int i, int t, int d) {
        return chunkOf(i)[offsetOf(i) + t * dim + d];
    }

    public void set(int i, int t, int d, float v) {
        chunkOf(i)[offsetOf(i) + t * dim + d] = v;
    }

    @Override
    public void copyFrames(int i, int start, int count, FloatBuffer dst) {
        dst.put(chunkOf(i), offsetOf(i) + start * dim, count * dim);
    }

    @Override
    public float[][] frames(int i, int start, int count) {
        float[] chunk = chunkOf(i);
        int from = offsetOf(i) + start * dim;
        float[][] out = new float[count][];
        for (int t = 0; t < count; t++) {
            out[t] = java.util.Arrays.copyOfRange(chunk, from + t * dim, from + (t + 1) * dim);
        }
        return out;
    }

    @Override
    public FloatTensor3 select(int[] indices) {
        FloatTensor3 out = new FloatTensor3(indices.length, len, dim);
        int sample = len * dim;
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(chunkOf(indices[k]), offsetOf(indices[k]), out.chunkOf(k), out.offsetOf(k), sample);
        }
        return out;
    }

    /** @return a deep copy */
    public FloatTensor3 copy() {
        FloatTensor3 out = new FloatTensor3(n, len, dim);
        for (int c = 0; c < chunks.length; c++) {
            System.arraycopy(chunks[c], 0, out.chunks[c], 0, chunks[c].length);
        }
        return out;
    }

    @Override
    public String toString() {
        return "[" + n + ", " + len + ", " + dim + "]";
    }
}
