package org.mecam.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.data.DataFormatException;

/** The safetensors reader: F32, F16 and BF16 tensors, and damaged files as one named error. */
class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void readsFloatTensorsOfEachDtype() throws IOException {
        float[] values = {0f, 1f, -2.5f, 0.15625f, 1024f, -0.000244140625f};
        Map<String, SafetensorsFiles.Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", new SafetensorsFiles.Tensor("F32", new long[] {2, 3}, values));
        t.put("b", new SafetensorsFiles.Tensor("F16", new long[] {6}, values));
        t.put("c", new SafetensorsFiles.Tensor("BF16", new long[] {3, 2}, values));
        Path file = tmp.resolve("model.safetensors");
        SafetensorsFiles.write(file, t);
        Safetensors s = Safetensors.open(file);
        assertEquals(java.util.List.of("a.weight", "b", "c"), java.util.List.copyOf(s.entries().keySet()));
        assertArrayEquals(new long[] {2, 3}, s.entries().get("a.weight").shape());
        assertEquals("(6,)", s.entries().get("b").shapeText());
        assertArrayEquals(values, s.floats("a.weight"));
        assertArrayEquals(values, s.floats("b"), "these values are exact in half precision");
        assertArrayEquals(values, s.floats("c"), "and in bfloat16");
        assertEquals(Float.POSITIVE_INFINITY, Safetensors.halfToFloat((short) 0x7c00));
        assertEquals(0x1p-24f, Safetensors.halfToFloat((short) 1), "smallest subnormal");
        DataFormatException absent = assertThrows(DataFormatException.class, () -> s.floats("d"));
        assertTrue(absent.getMessage().contains("no tensor 'd'"), absent.getMessage());
    }

    @Test
    void damagedFilesAreOneNamedError() throws IOException {
        Path text = tmp.resolve("text.safetensors");
        Files.writeString(text, "this is not a safetensors file at all");
        assertNotSafetensors(text, "header length");

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertNotSafetensors(tiny, "shorter than its 8-byte header length");

        Path good = tmp.resolve("good.safetensors");
        Map<String, SafetensorsFiles.Tensor> t = new LinkedHashMap<>();
        t.put("w", new SafetensorsFiles.Tensor("F32", new long[] {4, 4}, new float[16]));
        SafetensorsFiles.write(good, t);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertNotSafetensors(truncated, "a truncated file?");

        Path notJson = tmp.resolve("notjson.safetensors");
        byte[] junk = "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(notJson, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(junk.length).array(), junk));
        assertNotSafetensors(notJson, "not JSON");

        Path wrongCount = tmp.resolve("count.safetensors");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(wrongCount, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array(),
                header, new byte[8]));
        assertNotSafetensors(wrongCount, "needs 12 bytes, its offsets give 8");
    }

    private static void assertNotSafetensors(Path file, String why) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Safetensors.open(file));
        assertTrue(e.getMessage().startsWith(file + ": not a safetensors file: "), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
