package org.mecam.data.io.pickle;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 *
 * <p>This class interprets the opcodes on a stack and memo; {@link PickleInput} reads the bytes and
 * {@link Constructors} builds the objects that REDUCE, NEWOBJ and BUILD name.
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
    private final PickleInput in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int protocol;

    private PickleReader(Path file) throws IOException {
        this.file = file;
        this.in = new PickleInput(file);
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
        in.close();
    }

    private long position() {
        return in.position();
    }

    private Object run() throws IOException {
        while (true) {
            long at = position();
            int op = in.readByte();
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
            case 0x80: protocol = in.readByte(); break;
            case 0x95: in.readLong8(); break; // FRAME: its bytes are read as ordinary opcodes
            case '(': marks.add(stack.size()); break;
            case '0': pop(); break;
            case '1': popMark(); break;
            case '2': push(stack.get(stack.size() - 1)); break;
            case 'N': push(null); break;
            case 0x88: push(Boolean.TRUE); break;
            case 0x89: push(Boolean.FALSE); break;
            case 'J': push((long) in.readInt4()); break;
            case 'K': push((long) in.readByte()); break;
            case 'M': push((long) (in.readByte() | in.readByte() << 8)); break;
            case 0x8a: push(in.readLong(in.readByte())); break;
            case 0x8b: push(in.readLong(in.readInt4())); break;
            case 'I': push(PickleLiterals.parseIntLine(in.readLine())); break;
            case 'L': push(PickleLiterals.parseIntLine(in.readLine().replaceAll("L$", ""))); break;
            case 'F': push(Double.parseDouble(in.readLine())); break;
            case 'G': push(in.readDoubleBe()); break;
            case 'X': push(in.readText(in.readUInt4())); break;
            case 0x8c: push(in.readText(in.readByte())); break;
            case 0x8d: push(in.readText(in.readLong8())); break;
            case 'V': push(PickleLiterals.unescape(in.readLine())); break;
            case 'S': push(in.readLine().replaceAll("^'|'$", "")); break;
            case 'T': push(in.readBytes(in.readUInt4()).latin1()); break;
            case 'U': push(in.readBytes(in.readByte()).latin1()); break;
            case 'B': push(in.readBytes(in.readUInt4())); break;
            case 'C': push(in.readBytes(in.readByte())); break;
            case 0x8e: push(in.readBytes(in.readLong8())); break;
            case 0x96: push(in.readBytes(in.readLong8())); break;
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
            case 'q': memo.put((long) in.readByte(), top()); break;
            case 'r': memo.put(in.readUInt4(), top()); break;
            case 'p': memo.put(Long.parseLong(in.readLine()), top()); break;
            case 0x94: memo.put((long) memo.size(), top()); break;
            case 'h': push(memoGet(in.readByte())); break;
            case 'j': push(memoGet(in.readUInt4())); break;
            case 'g': push(memoGet(Long.parseLong(in.readLine()))); break;
            case 'c': push(new PyGlobal(in.readLine(), in.readLine())); break;
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
