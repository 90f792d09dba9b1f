package org.mecam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.mecam.config.ConfigException;
import org.mecam.engine.NoGrad;

/**
 * Model weights as a numpy {@code .npz} archive, one float32 {@code .npy} per parameter named by
 * its path in the block tree, so that checkpoints also open with {@code numpy.load}.
 */
public final class Checkpoint {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");

    private Checkpoint() {}

    /** Writes every parameter of {@code block} to {@code file}. */
    public static void save(Block block, Path file) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file));
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                zip.putNextEntry(new ZipEntry(p.getKey() + ".npy"));
                writeNpy(zip, p.getValue().getArray().getShape(), p.getValue().getArray().toFloatArray());
                zip.closeEntry();
            }
        }
    }

    /**
     * Loads weights saved by {@link #save} into {@code block}.
     *
     * @throws ConfigException naming the file, parameter and shapes on any mismatch
     */
    public static void load(Block block, Path file) throws IOException {
        Map<String, float[]> values = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName().replaceAll("\\.npy$", "");
                long[][] shape = new long[1][];
                values.put(name, readNpy(zip, file, name, shape));
                shapes.put(name, shape[0]);
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new ConfigException(file + ": not a readable checkpoint (a truncated or damaged .npz: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); train the run again or restore the file");
        }
        if (values.isEmpty()) {
            throw new ConfigException(file + ": not a checkpoint (" + Files.size(file) + " bytes, no .npy arrays in it);"
                    + " train the run again or restore the file");
        }
        try (NoGrad ignored = NoGrad.enter()) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                float[] v = values.get(p.getKey());
                long[] expected = p.getValue().getArray().getShape().getShape();
                if (v == null) {
                    throw new ConfigException(file + ": no array for parameter '" + p.getKey() + "' of shape "
                            + Arrays.toString(expected) + " (was the checkpoint written with another config?)");
                }
                if (!Arrays.equals(expected, shapes.get(p.getKey()))) {
                    throw new ConfigException(file + ": parameter '" + p.getKey() + "' has shape "
                            + Arrays.toString(shapes.get(p.getKey())) + ", the model expects " + Arrays.toString(expected));
                }
                assign(p.getValue().getArray(), v);
            }
        }
    }

    /**
     * Copies values into an array in place (an indexed assignment: the plain {@code set(float[])}
     * makes libtorch print a deprecation warning).
     */
    public static void assign(NDArray target, float[] values) {
        try (NoGrad ignored = NoGrad.enter(); NDManager tmp = target.getManager().newSubManager()) {
            target.set(new NDIndex("..."), org.mecam.engine.NativeArrays.floats(tmp, values, target.getShape()));
        }
    }

    /** Writes one float32 array in numpy's .npy format (version 1.0, C order, little-endian). */
    public static void writeNpy(OutputStream os, Shape shape, float[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape.getShape()) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.dimension() == 1 ? dims.toString().trim() : dims.toString().replaceAll(", $", "");
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

    /** Reads one float32 C-order .npy array; {@code shapeOut[0]} receives its shape. */
    static float[] readNpy(InputStream in, Path file, String name, long[][] shapeOut) throws IOException {
        DataInputStream din = new DataInputStream(in);
        byte[] magic = new byte[8];
        din.readFully(magic);
        if ((magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new ConfigException(file + ": entry '" + name + "' is not a .npy array");
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
            throw new ConfigException(file + ": entry '" + name + "' must be a float32 little-endian C-order array; header "
                    + header.trim());
        }
        long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        shapeOut[0] = dims;
        long count = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        byte[] body = new byte[Math.toIntExact(count * 4)];
        din.readFully(body);
        float[] out = new float[(int) count];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
