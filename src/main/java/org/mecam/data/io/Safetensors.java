package org.mecam.data.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mecam.data.DataFormatException;

/**
 * A reader of Hugging Face's {@code .safetensors} files: an 8-byte little-endian header length,
 * a JSON header (tensor name -> {@code dtype}, {@code shape}, {@code data_offsets} [begin, end)
 * relative to the end of the header; an optional {@code __metadata__} entry), then the raw
 * little-endian bytes. Floating-point tensors (F32, F16, BF16, F64) are read as float32.
 *
 * <p>{@link #open} reads and checks the header only (every entry's byte count against its dtype
 * and shape, every range inside the file); {@link #floats} reads one tensor.
 */
public final class Safetensors {

    /** Headers above this size are taken for a damaged file (real ones are tens of kilobytes). */
    private static final long MAX_HEADER = 100L << 20;

    /** One tensor's header entry; {@code begin} and {@code end} are absolute file offsets. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {

        /** @return the number of elements */
        public long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** @return the shape as Python prints it, e.g. (768, 3072) */
        public String shapeText() {
            return shapeText(shape);
        }

        /** @return {@code shape} as Python prints it, e.g. (768, 3072) */
        public static String shapeText(long[] shape) {
            String inner = Arrays.toString(shape).replace('[', '(').replace(']', ')');
            return shape.length == 1 ? inner.replace(")", ",)") : inner;
        }
    }

    private final Path file;
    private final Map<String, Entry> entries;

    private Safetensors(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /**
     * Reads and checks {@code file}'s header.
     *
     * @throws DataFormatException naming the file when it cannot be read or is not a safetensors file
     */
    public static Safetensors open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 8 || ch.read(head, 0) != 8) {
                throw notSafetensors(file, "shorter than its 8-byte header length");
            }
            long headerLength = head.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw notSafetensors(file, "its first 8 bytes give a header length of " + headerLength
                        + " bytes, the file has " + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            while (header.hasRemaining() && ch.read(header, 8 + header.position()) > 0) {
                // read the whole header
            }
            String json = new String(header.array(), StandardCharsets.UTF_8).trim();
            return new Safetensors(file, parse(file, json, 8 + headerLength, size));
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static Map<String, Entry> parse(Path file, String json, long dataStart, long size) {
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonObject()) {
                throw notSafetensors(file, "its header is not a JSON object");
            }
            root = parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            if (e instanceof DataFormatException d) {
                throw d;
            }
            throw notSafetensors(file, "its header is not JSON (" + firstLine(e.getMessage()) + ")");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            out.put(e.getKey(), entry(file, e.getKey(), e.getValue(), dataStart, size));
        }
        return out;
    }

    private static Entry entry(Path file, String name, JsonElement value, long dataStart, long size) {
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            JsonArray dims = o.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new IllegalArgumentException("negative dimension");
                }
            }
            JsonArray offsets = o.getAsJsonArray("data_offsets");
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            Entry entry = new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
            int width = width(dtype);
            if (begin < 0 || end < begin || dataStart + end > size) {
                throw notSafetensors(file, "tensor '" + name + "' lies at bytes [" + begin + ", " + end
                        + ") of a data section of " + (size - dataStart) + " bytes (a truncated file?)");
            }
            if (width > 0 && end - begin != entry.count() * width) {
                throw notSafetensors(file, "tensor '" + name + "' of dtype " + dtype + " and shape "
                        + entry.shapeText() + " needs " + entry.count() * width + " bytes, its offsets give " + (end - begin));
            }
            return entry;
        } catch (DataFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw notSafetensors(file, "header entry '" + name + "' lacks a valid dtype, shape or data_offsets");
        }
    }

    /** @return the first line of a parser's message (Gson's add a second line with a link) */
    public static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    private static DataFormatException notSafetensors(Path file, String why) {
        return new DataFormatException(file + ": not a safetensors file: " + why);
    }

    /** @return the bytes per element of a dtype, or 0 for one the kit does not know */
    private static int width(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the tensors' header entries, in the header's order */
    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * Reads a floating-point tensor as float32 values in C order.
     *
     * @throws DataFormatException naming the file and tensor when it is absent or not F32, F16, BF16 or F64
     */
    public float[] floats(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new DataFormatException(file + ": no tensor '" + name + "'");
        }
        if (e.count() > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(file + ": tensor '" + name + "' has " + e.count() + " elements, too many for one array");
        }
        int n = (int) e.count();
        float[] out = new float[n];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, e.begin(), e.end() - e.begin()).order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype()) {
                case "F32" -> b.asFloatBuffer().get(out);
                case "F64" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) b.getDouble(8 * i);
                    }
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                    }
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = halfToFloat(b.getShort(2 * i));
                    }
                }
                default -> throw new DataFormatException(file + ": tensor '" + name + "' has dtype " + e.dtype()
                        + ", not a floating-point one (F32, F16, BF16, F64)");
            }
        } catch (IOException ex) {
            throw new DataFormatException(file + ": cannot read tensor '" + name + "': " + ex.getMessage());
        }
        return out;
    }

    /** @return an IEEE 754 half-precision value (Java 17 has no Float.float16ToFloat) */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa x 2^-24
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
