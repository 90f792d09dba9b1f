package org.mecam.data.io.pickle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/** What REDUCE / NEWOBJ and BUILD do for the callables numpy pickles use. */
final class Constructors {

    private Constructors() {}

    static Object call(Object callable, List<Object> args, Path file) {
        if (!(callable instanceof PyGlobal)) {
            throw new PickleException(file + ": malformed pickle, REDUCE of " + PickleReader.describe(callable));
        }
        PyGlobal g = (PyGlobal) callable;
        if (g.isNumpy("multiarray", "_reconstruct")) {
            return new NpyArray();
        }
        if (g.module().equals("numpy") && g.name().equals("dtype")) {
            return NpyDType.parse(String.valueOf(args.get(0)));
        }
        if (g.isNumpy("numeric", "_frombuffer")) {
            NpyDType dtype = (NpyDType) args.get(1);
            long[] shape = NpyArray.shapeOf((PyTuple) args.get(2));
            boolean fortran = "F".equals(args.get(3));
            return new NpyArray(dtype, shape, fortran, bytesOf(args.get(0), file));
        }
        if (g.isNumpy("multiarray", "scalar")) {
            return scalar((NpyDType) args.get(0), args.size() > 1 ? args.get(1) : null, file);
        }
        if (g.module().equals("_codecs") && g.name().equals("encode")) {
            return encode(args.get(0), file);
        }
        if ((g.module().equals("builtins") || g.module().equals("__builtin__"))
                && (g.name().equals("bytearray") || g.name().equals("bytes"))) {
            return args.isEmpty() ? new ByteSource.Inline(new byte[0]) : encode(args.get(0), file);
        }
        if ((g.module().equals("builtins") || g.module().equals("__builtin__")) && (g.name().equals("set") || g.name().equals("frozenset"))) {
            return new LinkedHashSet<>(args.isEmpty() ? List.of() : (List<?>) args.get(0));
        }
        if (g.module().equals("collections") && g.name().equals("OrderedDict")) {
            return new LinkedHashMap<>();
        }
        return new PyObject(g, args, null);
    }

    private static ByteSource bytesOf(Object o, Path file) {
        if (o instanceof ByteSource) {
            return (ByteSource) o;
        }
        if (o instanceof PickleReader.LazyText || o instanceof String) {
            return encode(o, file);
        }
        throw new PickleException(file + ": numpy buffer is " + PickleReader.describe(o));
    }

    /** {@code _codecs.encode(s, 'latin1')}: protocol 2's spelling of bytes. */
    private static ByteSource encode(Object s, Path file) {
        try {
            if (s instanceof PickleReader.LazyText) {
                return new ByteSource.Latin1(((PickleReader.LazyText) s).utf8());
            }
            if (s instanceof String) {
                return new ByteSource.Inline(((String) s).getBytes(StandardCharsets.ISO_8859_1));
            }
            if (s instanceof ByteSource) {
                return (ByteSource) s;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new PickleException(file + ": cannot encode " + PickleReader.describe(s) + " to bytes");
    }

    private static Object scalar(NpyDType dtype, Object data, Path file) {
        byte[] raw;
        try {
            raw = data == null ? new byte[0] : encode(data, file).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (dtype.kind() == 'U' || dtype.kind() == 'S') {
            return new NpyArray(dtype, new long[0], false, new ByteSource.Inline(raw)).toStrings().get(0);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(dtype.order());
        switch (dtype.kind()) {
            case 'f':
                return dtype.itemSize() == 8 ? b.getDouble() : dtype.itemSize() == 4 ? (double) b.getFloat()
                        : (double) NpyArray.halfToFloat(b.getShort());
            case 'b':
                return raw[0] != 0;
            default:
                long[] one = new NpyArray(dtype, new long[0], false, new ByteSource.Inline(raw)).toLongArray();
                return one[0];
        }
    }

    @SuppressWarnings("unchecked")
    static void build(Object target, Object state, Path file) {
        if (target instanceof NpyArray) {
            ((NpyArray) target).setState((PyTuple) state);
        } else if (target instanceof NpyDType) {
            ((NpyDType) target).setState((PyTuple) state);
        } else if (target instanceof java.util.Map && state instanceof java.util.Map) {
            ((java.util.Map<Object, Object>) target).putAll((java.util.Map<Object, Object>) state);
        } else if (target instanceof PyObject) {
            // keep unknown objects as they are; readers report them by type
        } else {
            throw new PickleException(file + ": malformed pickle, BUILD on " + PickleReader.describe(target));
        }
    }
}
