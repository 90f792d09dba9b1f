package org.mecam.data.io.pickle;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes pickles (protocol 4, no framing) of dicts, lists, tuples, str, int, float, bool, None and
 * numpy arrays, as {@code pickle.dump} of the same Python objects would, using numpy 1.x module
 * paths ({@code numpy.core.multiarray}) that numpy 2 also reads.
 */
public final class PickleWriter implements AutoCloseable {

    /** A numpy array to write: dtype string ({@code <f4}, {@code <i8}, {@code <U12}), shape and data. */
    public interface Array {
        String dtype();

        long[] shape();

        /** Streams the raw bytes, in C order, to {@code out}. */
        void writeData(OutputStream out) throws IOException;

        /** @return the number of raw bytes */
        long byteLength();
    }

    /** Streams an array's raw bytes. */
    public interface DataWriter {
        void write(OutputStream out) throws IOException;
    }

    /** @return an array of {@code bytes} raw bytes of {@code dtype}, streamed by {@code writer} */
    public static Array array(String dtype, long[] shape, long bytes, DataWriter writer) {
        return new Array() {
            @Override
            public String dtype() {
                return dtype;
            }

            @Override
            public long[] shape() {
                return shape;
            }

            @Override
            public void writeData(OutputStream out) throws IOException {
                writer.write(out);
            }

            @Override
            public long byteLength() {
                return bytes;
            }
        };
    }

    /** @return a little-endian float32 array */
    public static Array floats(long[] shape, float[] data) {
        return array("<f4", shape, 4L * data.length, o -> {
            ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(data);
            o.write(b.array());
        });
    }

    /** @return a little-endian int64 array */
    public static Array longs(long[] shape, long[] data) {
        return array("<i8", shape, 8L * data.length, o -> {
            ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(data);
            o.write(b.array());
        });
    }

    private final OutputStream out;

    public PickleWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out, 1 << 16);
    }

    /** Writes one whole pickle of {@code value}. */
    public void dump(Object value) throws IOException {
        out.write(0x80);
        out.write(4);
        write(value);
        out.write('.');
        out.flush();
    }

    @SuppressWarnings("unchecked")
    private void write(Object v) throws IOException {
        if (v == null) {
            out.write('N');
        } else if (v instanceof Boolean) {
            out.write((Boolean) v ? 0x88 : 0x89);
        } else if (v instanceof Integer || v instanceof Long) {
            writeInt(((Number) v).longValue());
        } else if (v instanceof Float || v instanceof Double) {
            out.write('G');
            out.write(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(((Number) v).doubleValue()).array());
        } else if (v instanceof String) {
            writeString((String) v);
        } else if (v instanceof byte[]) {
            writeBytesHeader(((byte[]) v).length);
            out.write((byte[]) v);
        } else if (v instanceof Map) {
            out.write('}');
            out.write('(');
            for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) {
                write(e.getKey());
                write(e.getValue());
            }
            out.write('u');
        } else if (v instanceof PyTuple) {
            out.write('(');
            for (Object o : ((PyTuple) v).items()) {
                write(o);
            }
            out.write('t');
        } else if (v instanceof List) {
            out.write(']');
            out.write('(');
            for (Object o : (List<Object>) v) {
                write(o);
            }
            out.write('e');
        } else if (v instanceof Array) {
            writeArray((Array) v);
        } else {
            throw new IllegalArgumentException("cannot pickle " + v.getClass());
        }
    }

    private void writeInt(long x) throws IOException {
        if (x >= 0 && x < 256) {
            out.write('K');
            out.write((int) x);
        } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
            out.write('J');
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) x).array());
        } else {
            out.write(0x8a);
            out.write(8);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(x).array());
        }
    }

    private void writeString(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 256) {
            out.write(0x8c);
            out.write(b.length);
        } else {
            out.write('X');
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        }
        out.write(b);
    }

    private void writeBytesHeader(long n) throws IOException {
        if (n < 256) {
            out.write('C');
            out.write((int) n);
        } else if (n <= 0xFFFFFFFFL) {
            out.write('B');
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) n).array());
        } else {
            out.write(0x8e);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
        }
    }

    /** numpy's reduce: _reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype, False, data). */
    private void writeArray(Array a) throws IOException {
        writeGlobal("numpy.core.multiarray", "_reconstruct");
        writeGlobal("numpy", "ndarray");
        write(new PyTuple(List.of(0L)));
        write(new byte[] {'b'});
        out.write(0x87); // TUPLE3
        out.write('R');
        out.write('(');
        writeInt(1);
        out.write('(');
        for (long d : a.shape()) {
            writeInt(d);
        }
        out.write('t');
        writeDtype(a.dtype());
        out.write(0x89); // False: C order
        writeBytesHeader(a.byteLength());
        a.writeData(out);
        out.write('t');
        out.write('b');
    }

    /** numpy.dtype(kind, False, True) then BUILD (3, order, None, None, None, elsize, alignment, flags). */
    private void writeDtype(String dtype) throws IOException {
        writeGlobal("numpy", "dtype");
        String kind = dtype.substring(1);
        write(new PyTuple(List.of(kind, Boolean.FALSE, Boolean.TRUE)));
        out.write('R');
        boolean unicode = kind.startsWith("U");
        out.write('(');
        writeInt(3);
        writeString(String.valueOf(dtype.charAt(0)));
        out.write('N');
        out.write('N');
        out.write('N');
        writeInt(unicode ? 4L * Integer.parseInt(kind.substring(1)) : -1);
        writeInt(unicode ? 4 : -1);
        writeInt(unicode ? 8 : 0);
        out.write('t');
        out.write('b');
    }

    private void writeGlobal(String module, String name) throws IOException {
        out.write('c');
        out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
