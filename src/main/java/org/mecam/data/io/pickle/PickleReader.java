package org.mecam.data.io.pickle;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pickle file into Java objects: dict is {@link LinkedHashMap}, list {@link ArrayList},
 * tuple {@link PyTuple}, set {@link LinkedHashSet}, str {@link String}, bytes / bytearray {@link
 * ByteSource}, int {@link Long} or {@link BigInteger}, float {@link Double}, bool {@link Boolean},
 * None {@code null}, numpy arrays {@link NpyArray}, numpy dtypes {@link NpyDType}, other
 * objects {@link PyObject}.
 *
 * <p>Byte strings of {@link #LAZY_BYTES} or more are not read: they become file regions, read
 * later straight into the arrays that keep them. Lengths are unsigned (4-byte) or 64-bit, so
 * payloads over 2 GiB are fine. Only a small buffer is held while parsing.
 *
 * <p>The file stays open while any {@link ByteSource.FileRegion} may be read: close the reader
 * when done with the data.
 */
public final class PickleReader implements AutoCloseable {

    /** Payloads at least this large are left in the file. */
    public static final int LAZY_BYTES = 1 << 16;

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long bufferStart;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int protocol;

    private PickleReader(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        buffer.limit(0);
    }

    /**
     * Opens and parses a pickle file.
     *
     * @throws PickleException naming the file when it is missing, not a pickle, truncated, or
     *     holds objects this reader cannot build
     */
    public static PickleReader open(Path file) {
        PickleReader r;
        try {
            r = new PickleReader(file);
        } catch (NoSuchFileException e) {
            throw new PickleException(file.toAbsolutePath() + ": file not found");
        } catch (IOException e) {
            throw new PickleException(file.toAbsolutePath() + ": cannot open: " + e.getMessage(), e);
        }
        return r;
    }

    /** @return the unpickled top-level object */
    public Object load() {
        try {
            if (Files.size(file) == 0) {
                throw new PickleException(file + ": empty file, not a pickle");
            }
            return run();
        } catch (PickleException e) {
            throw e;
        } catch (IOException e) {
            throw new PickleException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new PickleException(file + ": not a valid pickle (" + e + " at byte " + position() + ")", e);
        }
    }

    /** @return the protocol the file declared (0 if none) */
    public int protocol() {
        return protocol;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private long position() {
        return bufferStart + buffer.position();
    }

    private Object run() throws IOException {
        while (true) {
            long at = position();
            int op = readByte();
            if (at == 0 && op != 0x80 && "(}])".indexOf(op) < 0) {
                throw new PickleException(file + ": not a pickle (first byte 0x" + Integer.toHexString(op) + ")");
            }
            if (op == '.') {
                if (stack.size() != 1) {
                    throw new PickleException(file + ": malformed pickle, " + stack.size() + " objects left at STOP");
                }
                return stack.get(0);
            }
            dispatch(op, at);
        }
    }

    @SuppressWarnings("checkstyle:CyclomaticComplexity")
    private void dispatch(int op, long at) throws IOException {
        switch (op) {
            case 0x80: protocol = readByte(); break;
            case 0x95: readLong8(); break; // FRAME: its bytes are read as ordinary opcodes
            case '(': marks.add(stack.size()); break;
            case '0': pop(); break;
            case '1': popMark(); break;
            case '2': push(stack.get(stack.size() - 1)); break;
            case 'N': push(null); break;
            case 0x88: push(Boolean.TRUE); break;
            case 0x89: push(Boolean.FALSE); break;
            case 'J': push((long) readInt4()); break;
            case 'K': push((long) readByte()); break;
            case 'M': push((long) (readByte() | readByte() << 8)); break;
            case 0x8a: push(readLong(readByte())); break;
            case 0x8b: push(readLong(readInt4())); break;
            case 'I': push(PickleLiterals.parseIntLine(readLine())); break;
            case 'L': push(PickleLiterals.parseIntLine(readLine().replaceAll("L$", ""))); break;
            case 'F': push(Double.parseDouble(readLine())); break;
            case 'G': push(readDoubleBe()); break;
            case 'X': push(readText(readUInt4())); break;
            case 0x8c: push(readText(readByte())); break;
            case 0x8d: push(readText(readLong8())); break;
            case 'V': push(PickleLiterals.unescape(readLine())); break;
            case 'S': push(readLine().replaceAll("^'|'$", "")); break;
            case 'T': push(readBytes(readUInt4()).latin1()); break;
            case 'U': push(readBytes(readByte()).latin1()); break;
            case 'B': push(readBytes(readUInt4())); break;
            case 'C': push(readBytes(readByte())); break;
            case 0x8e: push(readBytes(readLong8())); break;
            case 0x96: push(readBytes(readLong8())); break;
            case 0x97: case 0x98:
                throw new PickleException(file + ": out-of-band pickle buffers (protocol 5 NEXT_BUFFER) are not stored in files");
            case ']': push(new ArrayList<>()); break;
            case 'l': push(new ArrayList<>(popMark())); break;
            case '}': push(new LinkedHashMap<>()); break;
            case 'd': push(dict(popMark())); break;
            case ')': push(new PyTuple(List.of())); break;
            case 't': push(new PyTuple(popMark())); break;
            case 0x85: push(tuple(1)); break;
            case 0x86: push(tuple(2)); break;
            case 0x87: push(tuple(3)); break;
            case 0x8f: push(new LinkedHashSet<>()); break;
            case 0x91: push(new LinkedHashSet<>(popMark())); break;
            case 'a': append(pop()); break;
            case 'e': for (Object o : popMark()) { append(o); } break;
            case 's': { Object value = pop(); setItems(java.util.Arrays.asList(pop(), value)); break; }
            case 'u': setItems(popMark()); break;
            case 0x90: addItems(popMark()); break;
            case 'q': memo.put((long) readByte(), top()); break;
            case 'r': memo.put(readUInt4(), top()); break;
            case 'p': memo.put(Long.parseLong(readLine()), top()); break;
            case 0x94: memo.put((long) memo.size(), top()); break;
            case 'h': push(memoGet(readByte())); break;
            case 'j': push(memoGet(readUInt4())); break;
            case 'g': push(memoGet(Long.parseLong(readLine()))); break;
            case 'c': push(new PyGlobal(readLine(), readLine())); break;
            case 0x93: { Object name = pop(); push(new PyGlobal((String) pop(), (String) name)); break; }
            case 'R': { PyTuple args = (PyTuple) pop(); push(Constructors.call(pop(), args.items(), file)); break; }
            case 0x81: { PyTuple args = (PyTuple) pop(); push(Constructors.call(pop(), args.items(), file)); break; }
            case 0x92: { pop(); PyTuple args = (PyTuple) pop(); push(Constructors.call(pop(), args.items(), file)); break; }
            case 'b': { Object state = pop(); Constructors.build(top(), state, file); break; }
            default:
                throw new PickleException(file + ": not a pickle this reader understands (opcode 0x"
                        + Integer.toHexString(op) + " at byte " + at + ")");
        }
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw new PickleException(file + ": malformed pickle, memo key " + key + " missing");
        }
        return memo.get(key);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw new PickleException(file + ": malformed pickle, stack underflow at byte " + position());
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new PickleException(file + ": malformed pickle, no MARK at byte " + position());
        }
        int from = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        return items;
    }

    private PyTuple tuple(int n) {
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return new PyTuple(items);
    }

    private static Map<Object, Object> dict(List<Object> kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            m.put(kv.get(i), kv.get(i + 1));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private void append(Object o) {
        Object target = top();
        if (!(target instanceof List)) {
            throw new PickleException(file + ": malformed pickle, APPEND to " + describe(target));
        }
        ((List<Object>) target).add(o);
    }

    @SuppressWarnings("unchecked")
    private void setItems(List<Object> kv) {
        Object target = top();
        if (!(target instanceof Map)) {
            throw new PickleException(file + ": malformed pickle, SETITEM on " + describe(target));
        }
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            ((Map<Object, Object>) target).put(kv.get(i), kv.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private void addItems(List<Object> items) {
        ((Set<Object>) top()).addAll(items);
    }

    // ---- low-level reading

    private int readByte() throws IOException {
        if (!buffer.hasRemaining()) {
            fill();
        }
        return buffer.get() & 0xFF;
    }

    private void fill() throws IOException {
        bufferStart += buffer.position();
        buffer.clear();
        int n = channel.read(buffer, bufferStart);
        buffer.flip();
        if (n <= 0) {
            throw new PickleException(file + ": file ends at byte " + bufferStart
                    + " before the pickle's STOP opcode (truncated file?)");
        }
    }

    private byte[] readExact(int n) throws IOException {
        byte[] out = new byte[n];
        int k = 0;
        while (k < n) {
            if (!buffer.hasRemaining()) {
                fill();
            }
            int c = Math.min(n - k, buffer.remaining());
            buffer.get(out, k, c);
            k += c;
        }
        return out;
    }

    private int readInt4() throws IOException {
        return ByteBuffer.wrap(readExact(4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private long readUInt4() throws IOException {
        return readInt4() & 0xFFFFFFFFL;
    }

    private long readLong8() throws IOException {
        long v = ByteBuffer.wrap(readExact(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (v < 0) {
            throw new PickleException(file + ": malformed pickle, negative length at byte " + position());
        }
        return v;
    }

    private double readDoubleBe() throws IOException {
        return ByteBuffer.wrap(readExact(8)).order(ByteOrder.BIG_ENDIAN).getDouble();
    }

    private Object readLong(int n) throws IOException {
        byte[] le = readExact(n);
        byte[] be = new byte[Math.max(1, n)];
        for (int i = 0; i < n; i++) {
            be[n - 1 - i] = le[i];
        }
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = readByte(); c != '\n'; c = readByte()) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    /** A str: decoded if small; large ones (protocol-2 array payloads) stay in the file. */
    private Object readText(long n) throws IOException {
        if (n < LAZY_BYTES) {
            return new String(readExact((int) n), StandardCharsets.UTF_8);
        }
        return new LazyText(region(n));
    }

    private ByteSource readBytes(long n) throws IOException {
        if (n < LAZY_BYTES) {
            return new ByteSource.Inline(readExact((int) n));
        }
        return region(n);
    }

    private ByteSource.FileRegion region(long n) throws IOException {
        long start = position();
        long size = channel.size();
        if (start + n > size) {
            throw new PickleException(file + ": file ends at byte " + size + " inside a " + n
                    + "-byte payload that starts at byte " + start + " (truncated file?)");
        }
        bufferStart = start + n;
        buffer.clear().limit(0);
        return new ByteSource.FileRegion(channel, file, start, n);
    }

    /** A large str left in the file: only protocol-2 array data ({@code _codecs.encode(s, 'latin1')}). */
    record LazyText(ByteSource.FileRegion utf8) {}

    /** @return a str, bytes or other scalar as text, for ids and raw text */
    public static String text(Object o) {
        try {
            if (o instanceof ByteSource) {
                return new String(((ByteSource) o).toArray(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return String.valueOf(o);
    }

    /** @return a short description of a Python value, for messages */
    public static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Map) {
            return "dict with keys " + ((Map<?, ?>) o).keySet();
        }
        if (o instanceof List) {
            return "list of " + ((List<?>) o).size();
        }
        if (o instanceof PyTuple) {
            return "tuple of " + ((PyTuple) o).size();
        }
        if (o instanceof NpyArray) {
            return "array " + ((NpyArray) o).describe();
        }
        if (o instanceof ByteSource) {
            return "bytes of length " + ((ByteSource) o).length();
        }
        if (o instanceof String) {
            return "str";
        }
        return o.getClass().getSimpleName() + " " + o;
    }
}
