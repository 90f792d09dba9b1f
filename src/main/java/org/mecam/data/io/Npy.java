package org.mecam.data.io;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mecam.config.ConfigException;

/**
 * numpy's {@code .npy} format for float32 arrays, the kit's one reader and writer of it: what
 * checkpoints hold, one array per {@code .npz} entry, so that they also open with
 * {@code numpy.load}. (Arrays inside pickles are {@link org.mecam.data.io.pickle.NpyArray}s, which
 * carry no {@code .npy} header.)
 */
public final class Npy {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");

    private Npy() {}

    /** A float32 array: its shape and its values in C order. */
    public record Floats(long[] shape, float[] data) {}

    /** Writes one float32 array in numpy's .npy format (version 1.0, C order, little-endian). */
    public static void writeFloat32(OutputStream os, long[] shape, float[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? dims.toString().trim() : dims.toString().replaceAll(", $", "");
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer prefix = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        prefix.putShort((short) header.length());
        os.write(prefix.array());
        os.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        os.write(body.array());
    }

    /**
     * Reads one float32 little-endian C-order .npy array (format version 1.0 or later).
     *
     * @param file the file the stream reads, for messages
     * @param entry the array's name in {@code file} (an archive's entry), for messages
     * @throws ConfigException naming file and entry when the data is not such an array
     * @throws java.io.EOFException when the stream ends inside the array
     */
    public static Floats readFloat32(InputStream in, Path file, String entry) throws IOException {
        DataInputStream din = new DataInputStream(in);
        byte[] magic = new byte[8];
        din.readFully(magic);
        if ((magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new ConfigException(file + ": entry '" + entry + "' is not a .npy array");
        }
        int headerLength = magic[6] == 1
                ? Short.toUnsignedInt(Short.reverseBytes(din.readShort()))
                : Integer.reverseBytes(din.readInt());
        byte[] headerBytes = new byte[headerLength];
        din.readFully(headerBytes);
        String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        if (!descr.find() || !descr.group(1).equals("<f4") || !shape.find() || !fortran.find()
                || fortran.group(1).equals("True")) {
            throw new ConfigException(file + ": entry '" + entry + "' must be a float32 little-endian C-order array; header "
                    + header.trim());
        }
        long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long count = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        byte[] body = new byte[Math.toIntExact(count * 4)];
        din.readFully(body);
        float[] out = new float[(int) count];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return new Floats(dims, out);
    }
}
