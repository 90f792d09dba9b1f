package org.mecam.data.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mecam.data.DataFormatException;
import org.mecam.data.FloatTensor3;
import org.mecam.data.FrameStore;
import org.mecam.data.MappedFrames;
import org.mecam.data.io.pickle.ByteSource;
import org.mecam.data.io.pickle.NpyArray;
import org.mecam.data.io.pickle.PickleReader;

/**
 * A dataset pickle holding {@code {train, valid, test}} dicts of arrays, with checked access that
 * names the file, split, key and shape in every error.
 */
final class PickleData implements AutoCloseable {

    static final List<String> SPLITS = List.of("train", "valid", "test");

    final Path file;
    final String layout;
    private final PickleReader reader;
    private final Map<Object, Object> root;

    @SuppressWarnings("unchecked")
    private PickleData(Path file, String layout, PickleReader reader, Object root) {
        this.file = file;
        this.layout = layout;
        this.reader = reader;
        if (!(root instanceof Map)) {
            throw new DataFormatException(file + ": expected a dict with keys train, valid, test (the " + layout
                    + " layout), found " + PickleReader.describe(root));
        }
        this.root = (Map<Object, Object>) root;
    }

    /** Parses a dataset pickle; the file stays open (arrays may be mapped) until closed. */
    static PickleData open(Path file, String layout) {
        PickleReader reader = PickleReader.open(file);
        try {
            return new PickleData(file, layout, reader, reader.load());
        } catch (RuntimeException e) {
            closeQuietly(reader);
            throw e;
        }
    }

    private static void closeQuietly(PickleReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            // the original error matters more
        }
    }

    /** @return the named split */
    @SuppressWarnings("unchecked")
    Split0 split(String name) {
        Object s = root.get(name);
        if (s == null) {
            String alias = name.equals("valid") ? "dev" : null;
            s = alias == null ? null : root.get(alias);
        }
        if (s == null) {
            throw new DataFormatException(file + ": split '" + name + "' missing (top-level keys: " + root.keySet() + ")");
        }
        if (!(s instanceof Map)) {
            throw new DataFormatException(file + ": split '" + name + "' is " + PickleReader.describe(s)
                    + ", expected a dict of arrays");
        }
        return new Split0(file, name, (Map<Object, Object>) s);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** One split's dict of arrays. */
    static final class Split0 {
        final Path file;
        final String name;
        final Map<Object, Object> map;

        Split0(Path file, String name, Map<Object, Object> map) {
            this.file = file;
            this.name = name;
            this.map = map;
        }

        String where(String key) {
            return file + ": split '" + name + "', key '" + key + "'";
        }

        boolean has(String key) {
            return map.containsKey(key);
        }

        /** @return a numeric array with one of the allowed numbers of dimensions */
        NpyArray array(String key, String expected, int... ndims) {
            Object o = map.get(key);
            if (o == null) {
                throw new DataFormatException(file + ": split '" + name + "' has no key '" + key + "' (expected "
                        + expected + "; keys: " + map.keySet() + ")");
            }
            if (!(o instanceof NpyArray)) {
                throw new DataFormatException(where(key) + ": expected a numpy array " + expected + ", found "
                        + PickleReader.describe(o));
            }
            NpyArray a = (NpyArray) o;
            if (!a.dtype().isNumeric() || a.bytes() == null) {
                throw new DataFormatException(where(key) + ": unsupported dtype " + a.dtype() + " (shape "
                        + Arrays.toString(a.shape()) + "); expected numbers, " + expected);
            }
            if (Arrays.stream(ndims).noneMatch(d -> d == a.ndim())) {
                throw new DataFormatException(where(key) + ": has shape " + Arrays.toString(a.shape()) + " (" + a.ndim()
                        + "-d), expected " + expected);
            }
            return a;
        }

        /** @return the strings of a list or a U / S / object array (first column of a 2-d array), or null if absent */
        List<String> strings(String key) {
            Object o = map.get(key);
            if (o == null) {
                return null;
            }
            List<String> out = new ArrayList<>();
            if (o instanceof List) {
                for (Object item : (List<?>) o) {
                    out.add(item instanceof List ? PickleReader.text(((List<?>) item).get(0)) : PickleReader.text(item));
                }
                return out;
            }
            if (o instanceof NpyArray && ((NpyArray) o).isStrings()) {
                NpyArray a = (NpyArray) o;
                List<String> all = a.toStrings();
                if (a.ndim() <= 1) {
                    return all;
                }
                int width = (int) (a.size() / a.shape()[0]);
                for (int i = 0; i < a.shape()[0]; i++) {
                    out.add(all.get(i * width));
                }
                return out;
            }
            throw new DataFormatException(where(key) + ": expected strings, found " + PickleReader.describe(o));
        }

        /** Checks that an array has N samples. */
        void requireN(String key, long got, int n, String labelsKey) {
            if (got != n) {
                throw new DataFormatException(where(key) + ": has " + got + " samples but '" + labelsKey + "' has " + n);
            }
        }
    }

    /** Counts non-finite values met while building frame stores. */
    static final class NonFinite {
        private final Map<String, Long> counts = new java.util.LinkedHashMap<>();

        void add(String where, long n) {
            if (n > 0) {
                counts.merge(where, n, Long::sum);
            }
        }

        Map<String, Long> counts() {
            return counts;
        }
    }

    /**
     * @return a [N, L, D] store: mapped in place for little-endian float32 C-order data, else
     *     converted to the heap (non-finite values become 0 and are counted)
     */
    static FrameStore frames(Split0 s, String key, NpyArray a, NonFinite nonFinite) {
        long[] shape = a.shape();
        int n = Math.toIntExact(shape[0]);
        int len = Math.toIntExact(shape[1]);
        int dim = Math.toIntExact(shape[2]);
        if (len == 0 || dim == 0) {
            throw new DataFormatException(s.where(key) + ": has shape " + Arrays.toString(shape) + ", empty frames");
        }
        if (a.isMappableFloat32()) {
            ByteSource.FileRegion r = a.bytes().fileRegion();
            // read in place, made finite as frames are copied: counted here so that a note says so
            nonFinite.add(s.name + "/" + key, countNonFinite(a));
            return new MappedFrames(r.channel(), r.file(), r.offset(), n, len, dim, true);
        }
        FloatTensor3 out = FloatTensor3.zeros(n, len, dim);
        long bad = 0;
        try {
            if (!a.fortranOrder()) {
                float[] sample = new float[len * dim];
                for (int i = 0; i < n; i++) {
                    a.readStorage((long) i * len * dim, sample.length, sample, 0);
                    bad += sanitize(sample);
                    System.arraycopy(sample, 0, out.chunkOf(i), out.offsetOf(i), sample.length);
                }
            } else {
                bad = readFortran(a, out, n, len, dim);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(s.where(key) + ": cannot read", e);
        }
        nonFinite.add(s.name + "/" + key, bad);
        return out;
    }

    private static long readFortran(NpyArray a, FloatTensor3 out, int n, int len, int dim) throws IOException {
        long total = (long) n * len * dim;
        float[] chunk = new float[1 << 20];
        long bad = 0;
        for (long p = 0; p < total; p += chunk.length) {
            int count = (int) Math.min(chunk.length, total - p);
            a.readStorage(p, count, chunk, 0);
            for (int k = 0; k < count; k++) {
                long q = p + k;
                int i = (int) (q % n);
                int t = (int) ((q / n) % len);
                int d = (int) (q / ((long) n * len));
                float v = chunk[k];
                if (!Float.isFinite(v)) {
                    v = 0f;
                    bad++;
                }
                out.set(i, t, d, v);
            }
        }
        return bad;
    }

    /** @return the number of NaN and infinite values of a float array, read in chunks */
    static long countNonFinite(NpyArray a) {
        float[] chunk = new float[(int) Math.min(1 << 20, Math.max(1, a.size()))];
        long bad = 0;
        try {
            for (long p = 0; p < a.size(); p += chunk.length) {
                int count = (int) Math.min(chunk.length, a.size() - p);
                a.readStorage(p, count, chunk, 0);
                for (int k = 0; k < count; k++) {
                    bad += Float.isFinite(chunk[k]) ? 0 : 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + a, e);
        }
        return bad;
    }

    private static long sanitize(float[] values) {
        long bad = 0;
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                values[k] = 0f;
                bad++;
            }
        }
        return bad;
    }

    /** @return per sample, 1 + the index of the last frame with a non-zero value (right padding), at least 1 */
    static int[] rightLengths(FrameStore s) {
        int[] out = new int[s.size()];
        FloatBuffer buf = FloatBuffer.allocate(s.length() * s.dim());
        for (int i = 0; i < s.size(); i++) {
            buf.clear();
            s.copyFrames(i, 0, s.length(), buf);
            int last = 0;
            for (int t = s.length() - 1; t >= 0 && last == 0; t--) {
                for (int d = 0; d < s.dim(); d++) {
                    if (buf.get(t * s.dim() + d) != 0f) {
                        last = t + 1;
                        break;
                    }
                }
            }
            out[i] = Math.max(1, last);
        }
        return out;
    }

    /**
     * For front-padded data: per sample, the first frame with a non-zero (or non-finite) value;
     * the valid length runs from there to the end.
     *
     * @return {lengths, starts}
     */
    static int[][] frontLengths(FrameStore s) {
        int[] lengths = new int[s.size()];
        int[] starts = new int[s.size()];
        FloatBuffer buf = FloatBuffer.allocate(s.length() * s.dim());
        for (int i = 0; i < s.size(); i++) {
            buf.clear();
            copyRaw(s, i, buf);
            int first = s.length() - 1;
            scan:
            for (int t = 0; t < s.length(); t++) {
                for (int d = 0; d < s.dim(); d++) {
                    if (buf.get(t * s.dim() + d) != 0f) {
                        first = t;
                        break scan;
                    }
                }
            }
            starts[i] = first;
            lengths[i] = s.length() - first;
        }
        return new int[][] {lengths, starts};
    }

    private static void copyRaw(FrameStore s, int i, FloatBuffer buf) {
        (s instanceof MappedFrames ? ((MappedFrames) s).raw() : s).copyFrames(i, 0, s.length(), buf);
    }

    /**
     * Decides from the data whether sequences with stored lengths are front-padded: votes over
     * samples shorter than the padded size whose padding is all zero on one side only.
     */
    static boolean frontPadded(FrameStore s, int[] lengths) {
        int front = 0;
        int back = 0;
        FloatBuffer buf = FloatBuffer.allocate(s.length() * s.dim());
        for (int i = 0; i < s.size() && front + back < 256; i++) {
            int len = lengths[i];
            if (len >= s.length()) {
                continue;
            }
            buf.clear();
            s.copyFrames(i, 0, s.length(), buf);
            boolean tailZero = zero(buf, len, s.length(), s.dim());
            boolean headZero = zero(buf, 0, s.length() - len, s.dim());
            if (headZero && !tailZero) {
                front++;
            } else if (tailZero && !headZero) {
                back++;
            }
        }
        return front > back;
    }

    private static boolean zero(FloatBuffer buf, int from, int to, int dim) {
        for (int k = from * dim; k < to * dim; k++) {
            if (buf.get(k) != 0f) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return lengths as ints, each checked against 0..padded (0 counts as 1): a numpy array [N] or
     *     [N, 1], or a list of ints (MMSA's getLengths.py writes lists)
     */
    static int[] lengths(Split0 s, String key, int n, int padded) {
        long[] raw;
        if (s.map.get(key) instanceof List<?> list) {
            raw = new long[list.size()];
            for (int i = 0; i < raw.length; i++) {
                Object v = list.get(i);
                if (!(v instanceof Number num) || v instanceof Double || v instanceof Float) {
                    throw new DataFormatException(s.where(key) + ": item " + i + " of the list of " + list.size()
                            + " is " + PickleReader.describe(v) + ", expected an int length");
                }
                raw[i] = num.longValue();
            }
        } else {
            NpyArray a = s.array(key, "[N] lengths", 1, 2);
            raw = a.toLongArray();
            if (raw.length != a.shape()[0]) {
                throw new DataFormatException(s.where(key) + ": has shape " + Arrays.toString(a.shape())
                        + ", expected [N] or [N, 1] lengths");
            }
        }
        s.requireN(key, raw.length, n, "labels");
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] > padded || raw[i] < 0) {
                throw new DataFormatException(s.where(key) + ": sample " + i + " has length " + raw[i]
                        + (raw[i] < 0 ? ", a negative length" : ", larger than the padded size " + padded));
            }
            out[i] = (int) Math.max(1, raw[i]);
        }
        return out;
    }
}
