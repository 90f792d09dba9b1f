package org.mecam.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Creates NDArrays from Java data in native (libtorch) memory.
 *
 * <p>DJL's {@code NDManager.create(float[])} wraps a fresh Java direct buffer, which is freed
 * only when the garbage collector happens to run; per-batch arrays then pile up off-heap (tens
 * of MiB per epoch). Here data is staged in one reusable direct buffer per thread and cloned
 * natively, so each array's memory is libtorch's and is freed when the array is closed.
 */
public final class NativeArrays {

    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();
    private static final AtomicLong UPLOADS = new AtomicLong();

    private NativeArrays() {}

    /** @return a float32 array of {@code shape} filled by {@code fill} (which writes in C order) */
    public static NDArray floats(NDManager m, Shape shape, Consumer<FloatBuffer> fill) {
        ByteBuffer staged = staging(Math.toIntExact(shape.size() * 4));
        fill.accept(staged.asFloatBuffer());
        return copy(m, staged, shape, DataType.FLOAT32);
    }

    /** @return a float32 array holding {@code data} */
    public static NDArray floats(NDManager m, float[] data, Shape shape) {
        return floats(m, shape, b -> b.put(data));
    }

    /**
     * As {@link #floats(NDManager, float[], Shape)} for data that fills the whole array (the
     * staging buffer is not zeroed first).
     */
    public static NDArray filled(NDManager m, float[] data, Shape shape) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(data.length + " values for shape " + shape);
        }
        ByteBuffer staged = staging(data.length * 4, false);
        staged.asFloatBuffer().put(data);
        return copy(m, staged, shape, DataType.FLOAT32);
    }

    /** @return a 1-d float32 array holding {@code data} */
    public static NDArray floats(NDManager m, float[] data) {
        return floats(m, data, new Shape(data.length));
    }

    /** @return an int64 array of {@code shape} filled by {@code fill} */
    public static NDArray longs(NDManager m, Shape shape, Consumer<LongBuffer> fill) {
        ByteBuffer staged = staging(Math.toIntExact(shape.size() * 8));
        fill.accept(staged.asLongBuffer());
        return copy(m, staged, shape, DataType.INT64);
    }

    /** @return a 1-d int64 array holding {@code data} */
    public static NDArray longs(NDManager m, long[] data) {
        return longs(m, new Shape(data.length), b -> b.put(data));
    }

    /**
     * A scalar made on the manager's device by a fill, with no copy from the host (on a GPU, a
     * copy waits for all queued work). DJL's {@code full} takes a float; this keeps a double's
     * value exact in a float64 array.
     *
     * @return a 0-dimensional array of {@code type} holding {@code value}
     */
    public static NDArray scalar(NDManager m, double value, DataType type) {
        return JniUtils.full((PtNDManager) m, new Shape(), value, type, m.getDevice(), SparseFormat.DENSE);
    }

    /** @return host-to-device copies made by this class so far, in all threads (for tests) */
    public static long uploads() {
        return UPLOADS.get();
    }

    private static NDArray copy(NDManager m, ByteBuffer staged, Shape shape, DataType type) {
        UPLOADS.incrementAndGet();
        try (NDArray view = m.create(staged, shape, type)) {
            return view.duplicate();
        }
    }

    /** @return this thread's staging buffer, limited to {@code bytes} and zeroed over them if {@code zero} */
    private static ByteBuffer staging(int bytes) {
        return staging(bytes, true);
    }

    private static ByteBuffer staging(int bytes, boolean zero) {
        ByteBuffer b = STAGING.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
            STAGING.set(b);
        }
        b.clear();
        for (int i = 0; zero && i + 8 <= bytes; i += 8) {
            b.putLong(i, 0L);
        }
        for (int i = bytes & ~7; zero && i < bytes; i++) {
            b.put(i, (byte) 0);
        }
        b.limit(bytes);
        return b.slice().order(ByteOrder.nativeOrder());
    }
}
