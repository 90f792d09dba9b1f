package org.mecam.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A little-endian float32 C-order [N, L, D] array read in place from a dataset file through
 * memory maps (windows of whole samples, at most 1 GiB each, mapped up front; a mapping stays
 * valid after its file is closed): loading costs no copy and no heap, and each batch copies only
 * its samples. Non-finite values are replaced by 0 as they are copied
 * when {@code sanitize} is set.
 */
public final class MappedFrames extends FrameStore.Sized {

    static final long WINDOW_BYTES = 1L << 30;

    private final FileChannel channel;
    private final Path file;
    private final long offset;
    private final boolean sanitize;
    private final int samplesPerWindow;
    private final FloatBuffer[] windows;

    /**
     * @param channel the open file; every window is mapped here, so it may be closed afterwards
     * @param offset byte offset of element [0, 0, 0]
     * @param sanitize replace NaN and infinities by 0 when copying
     */
    public MappedFrames(FileChannel channel, Path file, long offset, int n, int len, int dim, boolean sanitize) {
        super(n, len, dim);
        this.channel = channel;
        this.file = file;
        this.offset = offset;
        this.sanitize = sanitize;
        long sample = 4L * len * dim;
        this.samplesPerWindow = (int) Math.max(1, WINDOW_BYTES / sample);
        this.windows = new FloatBuffer[(n + samplesPerWindow - 1) / samplesPerWindow];
        for (int w = 0; w < windows.length; w++) {
            window(w);
        }
    }

    private FloatBuffer window(int w) {
        if (windows[w] == null) {
            long first = (long) w * samplesPerWindow;
            int count = (int) Math.min(samplesPerWindow, n - first);
            long bytes = 4L * count * len * dim;
            long at = offset + first * 4L * len * dim;
            try {
                MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, at, bytes);
                windows[w] = map.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot map " + file + ": " + bytes + " bytes at byte " + at
                        + " (samples " + first + ".." + (first + count - 1) + " of [" + n + ", " + len + ", " + dim + "])", e);
            }
        }
        return windows[w];
    }

    @Override
    public void copyFrames(int i, int start, int count, FloatBuffer dst) {
        FloatBuffer w = window(i / samplesPerWindow).duplicate();
        int from = ((i % samplesPerWindow) * len + start) * dim;
        w.position(from).limit(from + count * dim);
        int at = dst.position();
        dst.put(w);
        if (sanitize) {
            for (int k = at; k < at + count * dim; k++) {
                if (!Float.isFinite(dst.get(k))) {
                    dst.put(k, 0f);
                }
            }
        }
    }

    @Override
    public float[][] frames(int i, int start, int count) {
        FloatBuffer w = window(i / samplesPerWindow).duplicate();
        w.position(((i % samplesPerWindow) * len + start) * dim);
        float[][] out = new float[count][dim];
        for (float[] frame : out) {
            w.get(frame);
            for (int d = 0; sanitize && d < dim; d++) {
                if (!Float.isFinite(frame[d])) {
                    frame[d] = 0f;
                }
            }
        }
        return out;
    }

    /** @return the same data without sanitising (to count or scan raw values) */
    public MappedFrames raw() {
        return sanitize ? new MappedFrames(this) : this;
    }

    private MappedFrames(MappedFrames sanitized) {
        super(sanitized.n, sanitized.len, sanitized.dim);
        channel = sanitized.channel;
        file = sanitized.file;
        offset = sanitized.offset;
        sanitize = false;
        samplesPerWindow = sanitized.samplesPerWindow;
        windows = sanitized.windows;
    }

    @Override
    public float get(int i, int t, int d) {
        float v = window(i / samplesPerWindow).get(((i % samplesPerWindow) * len + t) * dim + d);
        return sanitize && !Float.isFinite(v) ? 0f : v;
    }
}
