package org.mecam.data.io.pickle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A numpy array from a pickle: dtype, shape, C or Fortran order, and its data, either bytes
 * (in memory or a region of the file) or, for object arrays, a list of Python objects.
 */
public final class NpyArray {

    private NpyDType dtype;
    private long[] shape = new long[0];
    private boolean fortran;
    private ByteSource bytes;
    private List<Object> objects;

    NpyArray() {}

    NpyArray(NpyDType dtype, long[] shape, boolean fortran, ByteSource bytes) {
        this.dtype = dtype;
        this.shape = shape;
        this.fortran = fortran;
        this.bytes = bytes;
        check();
    }

    /** numpy's {@code ndarray.__setstate__}: (version, shape, dtype, is_fortran, rawdata). */
    @SuppressWarnings("unchecked")
    void setState(PyTuple state) {
        List<Object> s = state.items();
        if (s.size() == 5) {
            s = s.subList(1, 5);
        }
        if (s.size() != 4 || !(s.get(0) instanceof PyTuple) || !(s.get(1) instanceof NpyDType)) {
            throw new PickleException("malformed numpy array state " + state);
        }
        shape = shapeOf((PyTuple) s.get(0));
        dtype = (NpyDType) s.get(1);
        fortran = Boolean.TRUE.equals(s.get(2));
        Object raw = s.get(3);
        if (raw instanceof ByteSource) {
            bytes = (ByteSource) raw;
        } else if (raw instanceof String) {
            bytes = new ByteSource.Inline(((String) raw).getBytes(StandardCharsets.ISO_8859_1));
        } else if (raw instanceof List) {
            objects = (List<Object>) raw;
        } else {
            throw new PickleException("malformed numpy array data of type " + (raw == null ? "None" : raw.getClass().getSimpleName()));
        }
        check();
    }

    private void check() {
        if (bytes != null && dtype.itemSize() > 0 && bytes.length() != size() * dtype.itemSize()) {
            throw new PickleException("numpy array " + describe() + " holds " + bytes.length() + " bytes, expected "
                    + size() * dtype.itemSize() + " (truncated or corrupt data)");
        }
        if (objects != null && objects.size() != size()) {
            throw new PickleException("numpy object array " + describe() + " holds " + objects.size() + " items");
        }
    }

    static long[] shapeOf(PyTuple t) {
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) t.get(i)).longValue();
        }
        return out;
    }

    public NpyDType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    /** @return the number of elements */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean fortranOrder() {
        return fortran;
    }

    /** @return the raw data source (numeric and string arrays), or null for object arrays */
    public ByteSource bytes() {
        return bytes;
    }

    /** @return whether the data is little-endian float32 in C order, stored verbatim in the file */
    public boolean isMappableFloat32() {
        return dtype.kind() == 'f' && dtype.itemSize() == 4 && dtype.order() == ByteOrder.LITTLE_ENDIAN
                && (!fortran || shape.length <= 1) && bytes != null && bytes.fileRegion() != null;
    }

    /** @return e.g. {@code <f4 [1284, 50, 768]} */
    public String describe() {
        return dtype + " " + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "ndarray(" + describe() + (fortran ? ", Fortran order" : "") + ")";
    }

    /**
     * Reads {@code count} elements in storage order, starting at storage element {@code start},
     * converted to float.
     */
    public void readStorage(long start, int count, float[] dst, int offset) throws IOException {
        requireNumeric();
        int size = dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate(count * size).order(dtype.order());
        bytes.read(start * size, buf);
        buf.flip();
        convert(buf, count, dst, offset);
    }

    /** Converts {@code count} elements of this dtype from {@code buf} to floats. */
    void convert(ByteBuffer buf, int count, float[] dst, int offset) {
        switch (dtype.kind() + "" + dtype.itemSize()) {
            case "f4":
                buf.asFloatBuffer().get(dst, offset, count);
                return;
            case "f8":
                for (int k = 0; k < count; k++) {
                    dst[offset + k] = (float) buf.getDouble(k * 8);
                }
                return;
            case "f2":
                for (int k = 0; k < count; k++) {
                    dst[offset + k] = halfToFloat(buf.getShort(k * 2));
                }
                return;
            default:
                for (int k = 0; k < count; k++) {
                    dst[offset + k] = (float) integer(buf, k);
                }
        }
    }

    /** IEEE 754 half precision to float (Float.float16ToFloat arrived in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant / 1024f / 16384f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private long integer(ByteBuffer buf, int k) {
        int size = dtype.itemSize();
        boolean unsigned = dtype.kind() == 'u' || dtype.kind() == 'b';
        switch (size) {
            case 1:
                return unsigned ? buf.get(k) & 0xFF : buf.get(k);
            case 2:
                return unsigned ? buf.getShort(k * 2) & 0xFFFF : buf.getShort(k * 2);
            case 4:
                return unsigned ? buf.getInt(k * 4) & 0xFFFFFFFFL : buf.getInt(k * 4);
            default:
                return buf.getLong(k * 8);
        }
    }

    /** @return every element as float, in C order (arrays of up to 2^31 - 1 elements) */
    public float[] toFloatArray() {
        requireNumeric();
        int n = Math.toIntExact(size());
        float[] storage = new float[n];
        try {
            for (int s = 0; s < n; s += 1 << 20) {
                readStorage(s, Math.min(1 << 20, n - s), storage, s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fortran && shape.length > 1 ? toCOrder(storage) : storage;
    }

    /** @return every element as long (truncating floats), in C order */
    public long[] toLongArray() {
        float[] f = dtype.kind() == 'f' ? toFloatArray() : null;
        if (f != null) {
            long[] out = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = (long) f[i];
            }
            return out;
        }
        requireNumeric();
        int n = Math.toIntExact(size());
        ByteBuffer buf = ByteBuffer.allocate(n * dtype.itemSize()).order(dtype.order());
        try {
            bytes.read(0, buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        long[] storage = new long[n];
        for (int k = 0; k < n; k++) {
            storage[k] = integer(buf, k);
        }
        if (!fortran || shape.length <= 1) {
            return storage;
        }
        long[] out = new long[n];
        int[] map = cIndexOfStorage();
        for (int k = 0; k < n; k++) {
            out[map[k]] = storage[k];
        }
        return out;
    }

    private float[] toCOrder(float[] storage) {
        float[] out = new float[storage.length];
        int[] map = cIndexOfStorage();
        for (int k = 0; k < storage.length; k++) {
            out[map[k]] = storage[k];
        }
        return out;
    }

    /** @return for each Fortran storage position, the C-order linear index */
    private int[] cIndexOfStorage() {
        int n = Math.toIntExact(size());
        int[] out = new int[n];
        long[] idx = new long[shape.length];
        for (int k = 0; k < n; k++) {
            long c = 0;
            for (int d = 0; d < shape.length; d++) {
                c = c * shape[d] + idx[d];
            }
            out[k] = (int) c;
            for (int d = 0; d < shape.length; d++) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    /**
     * @return the elements of a string array (numpy {@code U}, {@code S} or an object array of
     *     str / bytes), in C order; bytes are decoded as UTF-8
     */
    public List<String> toStrings() {
        List<String> out = new ArrayList<>();
        if (objects != null) {
            for (Object o : objects) {
                out.add(PickleReader.text(o));
            }
            return fortran && shape.length > 1 ? reorder(out) : out;
        }
        char kind = dtype.kind();
        if (kind != 'U' && kind != 'S') {
            throw new PickleException("expected strings, found a numeric array " + describe());
        }
        int n = Math.toIntExact(size());
        int size = dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate(n * size).order(dtype.order());
        try {
            bytes.read(0, buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int k = 0; k < n; k++) {
            if (kind == 'S') {
                int end = size;
                while (end > 0 && buf.get(k * size + end - 1) == 0) {
                    end--;
                }
                out.add(new String(buf.array(), k * size, end, StandardCharsets.UTF_8));
            } else {
                StringBuilder sb = new StringBuilder();
                for (int c = 0; c < size / 4; c++) {
                    int cp = buf.getInt(k * size + c * 4);
                    if (cp == 0) {
                        break;
                    }
                    sb.appendCodePoint(cp);
                }
                out.add(sb.toString());
            }
        }
        return fortran && shape.length > 1 ? reorder(out) : out;
    }

    private List<String> reorder(List<String> storage) {
        String[] out = new String[storage.size()];
        int[] map = cIndexOfStorage();
        for (int k = 0; k < out.length; k++) {
            out[map[k]] = storage.get(k);
        }
        return Arrays.asList(out);
    }

    /** @return whether this is a string array (U, S, or objects that are all str / bytes) */
    public boolean isStrings() {
        if (!dtype.isSupported()) {
            return false;
        }
        if (objects != null) {
            return objects.stream().allMatch(o -> o instanceof String || o instanceof ByteSource);
        }
        return dtype.kind() == 'U' || dtype.kind() == 'S';
    }

    private void requireNumeric() {
        if (objects != null || !dtype.isNumeric()) {
            throw new PickleException("expected a numeric array, found " + describe());
        }
    }
}
