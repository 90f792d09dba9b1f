package org.mecam.data;

import java.nio.FloatBuffer;

/**
 * Read access to a float array of shape [N, L, D] (samples, frames, features), held on the Java
 * heap ({@link FloatTensor3}) or mapped from a dataset file ({@link MappedFrames}).
 */
public interface FrameStore {

    /** @return N */
    int size();

    /** @return L, the padded number of frames */
    int length();

    /** @return D */
    int dim();

    /** @return bytes held (heap or mapped): N x L x D float32 values */
    default long bytes() {
        return 4L * size() * length() * dim();
    }

    /** Copies frames {@code [start, start + count)} of sample {@code i} into {@code dst}, in C order. */
    void copyFrames(int i, int start, int count, FloatBuffer dst);

    /** @return one value */
    float get(int i, int t, int d);

    /** @return frames {@code [start, start + count)} of sample {@code i} as [count][D] */
    default float[][] frames(int i, int start, int count) {
        FloatBuffer buf = FloatBuffer.allocate(count * dim());
        copyFrames(i, start, count, buf);
        float[][] out = new float[count][dim()];
        for (int t = 0; t < count; t++) {
            buf.get(t * dim(), out[t]);
        }
        return out;
    }

    /** @return the given samples' frames {@code [start_k, start_k + L)} (right-aligned data as is) copied to the heap */
    default FloatTensor3 select(int[] indices) {
        FloatTensor3 out = FloatTensor3.zeros(indices.length, length(), dim());
        for (int k = 0; k < indices.length; k++) {
            FloatBuffer dst = FloatBuffer.wrap(out.chunkOf(k), out.offsetOf(k), length() * dim());
            copyFrames(indices[k], 0, length(), dst);
        }
        return out;
    }

    /** The shape [N, L, D] that every store holds, checked once. */
    abstract class Sized implements FrameStore {

        protected final int n;
        protected final int len;
        protected final int dim;

        protected Sized(int n, int len, int dim) {
            if (n < 0 || len <= 0 || dim <= 0) {
                throw new IllegalArgumentException("invalid shape [" + n + ", " + len + ", " + dim + "]");
            }
            this.n = n;
            this.len = len;
            this.dim = dim;
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int length() {
            return len;
        }

        @Override
        public int dim() {
            return dim;
        }
    }
}
