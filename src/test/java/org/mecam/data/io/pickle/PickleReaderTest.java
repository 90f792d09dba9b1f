package org.mecam.data.io.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every value kind, from files written by numpy 1.26 and 2.2 at pickle protocols 2 to 5. */
class PickleReaderTest {

    @TempDir
    Path tmp;

    static Path resource(String name) {
        try {
            return Paths.get(PickleReaderTest.class.getResource("/pickle/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"generic_np1_p2.pkl", "generic_np1_p3.pkl", "generic_np1_p4.pkl", "generic_np1_p5.pkl",
        "generic_np2_p2.pkl", "generic_np2_p3.pkl", "generic_np2_p4.pkl", "generic_np2_p5.pkl"})
    @SuppressWarnings("unchecked")
    void readsEveryKindOfValue(String name) throws IOException {
        JsonObject expected = JsonParser.parseString(Files.readString(resource("generic_expected.json"))).getAsJsonObject();
        try (PickleReader r = PickleReader.open(resource(name))) {
            Map<Object, Object> d = (Map<Object, Object>) r.load();
            assertNull(d.get("none"));
            assertEquals(Boolean.TRUE, d.get("true"));
            assertEquals(Boolean.FALSE, d.get("false"));
            assertEquals(7L, d.get("small_int"));
            assertEquals(-300L, d.get("neg_int"));
            assertEquals(60000L, d.get("int16"));
            assertEquals((long) Integer.MIN_VALUE, d.get("int32"));
            assertEquals(BigInteger.TWO.pow(70), d.get("big_int"));
            assertEquals(1.25, d.get("float"));
            assertEquals("héllo wörld ✓", d.get("text"));
            assertEquals("a", d.get("short"));
            assertEquals(70000, ((String) textOrLazy(d.get("long_text"))).length());
            assertArrayEquals(new byte[] {0, 1, (byte) 0xff, 'a', 'b', 'c'}, ((ByteSource) d.get("bytes")).toArray());
            ByteSource longBytes = (ByteSource) d.get("long_bytes");
            assertEquals(256 * 300, longBytes.length());
            assertEquals((byte) 200, longBytes.toArray()[256 * 7 + 200]);
            assertArrayEquals(new byte[] {1, 2}, ((ByteSource) d.get("bytearray")).toArray());
            assertEquals(List.of(1L, "two", 3.0, List.of(4L)), d.get("list"));
            assertEquals(1L, ((PyTuple) d.get("tuple")).get(0));
            assertEquals(Set.of(1L, 2L), d.get("set"));
            assertEquals(Set.of(3L), d.get("frozenset"));
            assertEquals(List.of("z", "y"), List.copyOf(((Map<Object, Object>) d.get("ordered")).keySet()));
            assertEquals("two", ((Map<Object, Object>) d.get("int_keys")).get(2L));
            Map<Object, Object> nested = (Map<Object, Object>) ((Map<Object, Object>) d.get("nested")).get("a");
            assertTrue(((List<Object>) nested.get("b")).get(2) instanceof Map);

            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, array(d, "f4").toFloatArray());
            assertArrayEquals(new long[] {3, 4}, array(d, "f4").shape());
            assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1}, array(d, "f8").toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {0.5f, -2f, 65504f, 1e-5f}, array(d, "f2").toFloatArray(), 1e-7f);
            assertArrayEquals(new long[] {-128, 127}, array(d, "i1").toLongArray());
            assertArrayEquals(new long[] {-2, 3}, array(d, "i2").toLongArray());
            assertArrayEquals(new long[] {1, -2, 3, 4}, array(d, "i4").toLongArray());
            assertArrayEquals(new long[] {1L << 40, -5}, array(d, "i8").toLongArray());
            assertArrayEquals(new long[] {0, 255}, array(d, "u1").toLongArray());
            assertArrayEquals(new long[] {1, 0, 1}, array(d, "b1").toLongArray());
            float[] fortran = array(d, "f4_fortran").toFloatArray();
            for (int i = 0; i < 24; i++) {
                assertEquals(i, fortran[i], "Fortran-order array read back in C order");
            }
            assertTrue(array(d, "f4_fortran").fortranOrder());
            assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, array(d, "i8_be").toLongArray());
            assertEquals(List.of("ab", "ünï", ""), array(d, "unicode").toStrings());
            assertEquals(List.of("v1", "clip_22"), array(d, "byte_strings").toStrings());
            assertEquals(List.of("x", "yz", "wörd"), array(d, "objects").toStrings());
            assertEquals(List.of("a", "bc"), array(d, "object_bytes").toStrings());
            assertEquals(List.of("vid_1", "0.0", "1.5", "vid_2", "2.0", "3.0"), array(d, "ids_2d").toStrings());
            assertEquals(1.5, d.get("scalar_f4"));
            assertEquals(-9L, d.get("scalar_i8"));
            assertArrayEquals(new float[] {3.5f}, array(d, "zero_d").toFloatArray());
            assertEquals(0, array(d, "zero_d").ndim());
            assertEquals(0, array(d, "empty").size());

            NpyArray big = array(d, "big");
            assertFalse(big.bytes() instanceof ByteSource.Inline, "a 96 000-byte payload stays in the file");
            assertEquals(r.protocol() >= 3, big.bytes().fileRegion() != null, "verbatim from protocol 3 on");
            assertEquals(r.protocol() >= 3, big.isMappableFloat32(), "protocol 2 stores bytes as latin-1 text");
            float[] b = big.toFloatArray();
            assertEquals(expected.get("big_sum").getAsDouble(), sum(b), 1e-3);
            assertEquals(expected.get("big_at_3_4_5").getAsFloat(), b[(3 * 30 + 4) * 20 + 5]);
            float[] bf = array(d, "big_fortran").toFloatArray();
            assertEquals(expected.get("big_fortran_sum").getAsDouble(), sum(bf), 1e-3);
            assertEquals(expected.get("big_fortran_at_3_4_5").getAsFloat(), bf[(3 * 30 + 4) * 20 + 5]);
            float[] be = array(d, "big_be").toFloatArray();
            assertEquals(expected.get("big_be_sum").getAsDouble(), sum(be), 1e-3);
            assertEquals(expected.get("big_be_at_7_9").getAsFloat(), be[7 * 300 + 9]);
            assertEquals(">f4", array(d, "big_be").dtype().describe());
        }
    }

    private static Object textOrLazy(Object o) throws IOException {
        if (o instanceof PickleReader.LazyText) {
            return new String(((PickleReader.LazyText) o).utf8().toArray(), java.nio.charset.StandardCharsets.UTF_8);
        }
        return o;
    }

    private static NpyArray array(Map<Object, Object> d, String key) {
        return assertInstanceOf(NpyArray.class, d.get(key), key);
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }

    @Test
    void notAPickleTruncatedAndEmptyFilesNameTheFile() throws IOException {
        Path text = tmp.resolve("notes.pkl");
        Files.writeString(text, "hello, this is text");
        PickleException e = assertThrows(PickleException.class, () -> PickleReader.open(text).load());
        assertTrue(e.getMessage().contains("notes.pkl") && e.getMessage().contains("not a pickle"), e.getMessage());

        byte[] whole = Files.readAllBytes(resource("generic_np2_p4.pkl"));
        for (int cut : new int[] {whole.length / 2, whole.length - 5, 100}) {
            Path truncated = tmp.resolve("cut" + cut + ".pkl");
            Files.write(truncated, java.util.Arrays.copyOf(whole, cut));
            PickleException t = assertThrows(PickleException.class, () -> PickleReader.open(truncated).load());
            assertTrue(t.getMessage().contains("truncated") && t.getMessage().contains(truncated.getFileName().toString()),
                    t.getMessage());
        }
        Path empty = tmp.resolve("empty.pkl");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(PickleException.class, () -> PickleReader.open(empty).load()).getMessage().contains("empty"));
        assertTrue(assertThrows(PickleException.class, () -> PickleReader.open(tmp.resolve("missing.pkl")))
                .getMessage().contains("file not found"));
    }
}
