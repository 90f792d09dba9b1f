package org.mecam.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mecam.config.ConfigException;

/** The .npy format: numpy's header (padded to 64 bytes), round trips, and messages naming file and entry. */
class NpyTest {

    private static final Path FILE = Path.of("model.npz");

    @Test
    void writesNumpysHeaderAndReadsItBack() throws IOException {
        for (long[] shape : new long[][] {{}, {3}, {2, 3}, {2, 1, 2}}) {
            float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < data.length; i++) {
                data[i] = i * 0.5f - 1;
            }
            byte[] bytes = write(shape, data);
            assertEquals(0x93, bytes[0] & 0xff);
            assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
            int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
            assertEquals(10 + headerLength + 4 * data.length, bytes.length);
            String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
            assertTrue(header.endsWith("\n"), header);
            String dims = shape.length == 1 ? shape[0] + "," : String.join(", ",
                    Arrays.stream(shape).mapToObj(Long::toString).toList());
            assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }"), header);
            Npy.Floats back = Npy.readFloat32(new ByteArrayInputStream(bytes), FILE, "w");
            assertArrayEquals(shape, back.shape());
            assertArrayEquals(data, back.data());
        }
    }

    @Test
    void namesFileAndEntryWhenTheDataIsNotAFloat32Array() throws IOException {
        ConfigException notNpy = assertThrows(ConfigException.class,
                () -> Npy.readFloat32(new ByteArrayInputStream("PK\u0003\u0004 not npy".getBytes(StandardCharsets.ISO_8859_1)), FILE, "w"));
        assertEquals("model.npz: entry 'w' is not a .npy array", notNpy.getMessage());

        byte[] f8 = new String(write(new long[] {2}, new float[] {1, 2}), StandardCharsets.ISO_8859_1)
                .replace("'<f4'", "'<f8'").getBytes(StandardCharsets.ISO_8859_1);
        ConfigException wrongType = assertThrows(ConfigException.class,
                () -> Npy.readFloat32(new ByteArrayInputStream(f8), FILE, "w"));
        assertEquals("model.npz: entry 'w' must be a float32 little-endian C-order array; header"
                + " {'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", wrongType.getMessage());

        byte[] fortran = new String(write(new long[] {2, 2}, new float[4]), StandardCharsets.ISO_8859_1)
                .replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1);
        ConfigException notC = assertThrows(ConfigException.class,
                () -> Npy.readFloat32(new ByteArrayInputStream(fortran), FILE, "b"));
        assertTrue(notC.getMessage().startsWith("model.npz: entry 'b' must be a float32 little-endian C-order array"),
                notC.getMessage());

        byte[] whole = write(new long[] {4}, new float[] {1, 2, 3, 4});
        assertThrows(EOFException.class, () -> Npy.readFloat32(
                new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 3)), FILE, "w"), "a truncated array");
    }

    private static byte[] write(long[] shape, float[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.writeFloat32(out, shape, data);
        return out.toByteArray();
    }
}
