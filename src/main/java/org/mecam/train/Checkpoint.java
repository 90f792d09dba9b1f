package org.mecam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.mecam.config.ConfigException;
import org.mecam.data.io.Npy;
import org.mecam.engine.NoGrad;

/**
 * Model weights as a numpy {@code .npz} archive, one float32 {@code .npy} per parameter named by
 * its path in the block tree, so that checkpoints also open with {@code numpy.load}. The
 * {@code .npy} format itself is {@link Npy}'s.
 */
public final class Checkpoint {

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
                Npy.Floats array = Npy.readFloat32(zip, file, name);
                values.put(name, array.data());
                shapes.put(name, array.shape());
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

    /**
     * Writes one float32 array in numpy's .npy format (version 1.0, C order, little-endian).
     *
     * @see Npy#writeFloat32
     */
    public static void writeNpy(OutputStream os, Shape shape, float[] data) throws IOException {
        Npy.writeFloat32(os, shape.getShape(), data);
    }
}
