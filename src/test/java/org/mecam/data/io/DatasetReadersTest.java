package org.mecam.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;

/** MMSA and MulT files written by numpy 1.26 and 2.2 at protocols 2, 4, 5, against expected.json. */
class DatasetReadersTest {

    static Path resource(String name) {
        try {
            return Paths.get(DatasetReadersTest.class.getResource("/datasets/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject expected(String layout) throws IOException {
        return JsonParser.parseString(Files.readString(resource("expected.json"))).getAsJsonObject()
                .getAsJsonObject(layout);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mmsa_unaligned_np1_p2.pkl", "mmsa_unaligned_np1_p4.pkl", "mmsa_unaligned_np1_p5.pkl",
        "mmsa_unaligned_np2_p2.pkl", "mmsa_unaligned_np2_p4.pkl", "mmsa_unaligned_np2_p5.pkl",
        "mmsa_aligned_np1_p4.pkl", "mmsa_aligned_np2_p4.pkl", "mmsa_unaligned_list_lengths_np2_p4.pkl"})
    void mmsa(String file) throws IOException {
        boolean aligned = file.contains("_aligned");
        JsonObject exp = expected(aligned ? "mmsa_aligned" : "mmsa_unaligned");
        MultimodalDataset features = MmsaReader.read(resource(file), true, false);
        MultimodalDataset ids = MmsaReader.read(resource(file), false, true);
        assertEquals(aligned, features.info().aligned());
        assertEquals(8, features.info().textFeatureDim());
        assertEquals(5, features.info().audioDim());
        assertEquals(4, features.info().visionDim());
        assertTrue(ids.info().vocabSize() >= 30522);
        for (Split s : features.splits()) {
            JsonObject e = exp.getAsJsonObject(s.name);
            assertEquals(e.get("n").getAsInt(), s.size(), s.name);
            assertArrayEquals(floats(e, "labels"), s.labels, 1e-6f);
            assertArrayEquals(ints(e, "text_lengths"), s.textLengths, "text lengths from the attention mask");
            assertArrayEquals(ints(e, "audio_lengths"), s.audioLengths);
            assertArrayEquals(ints(e, "vision_lengths"), s.visionLengths);
            float[][] t = s.textFeatures.frames(0, s.textStart[0], s.textLengths[0]);
            assertArrayEquals(floats(e, "text_0_1"), t[1], 1e-6f);
            assertEquals(e.get("id_1").getAsString(), s.ids[1]);
            assertEquals(e.get("raw_1").getAsString(), s.rawText[1]);
            if (!aligned) {
                float[][] a = s.audio.frames(0, s.audioStart[0], s.audioLengths[0]);
                assertArrayEquals(floats(e, "audio_first_valid_0"), a[0], 1e-6f, "front-padded audio read from its start");
                assertArrayEquals(floats(e, "vision_first_0"), s.vision.frames(0, s.visionStart[0], 1)[0], 1e-6f);
                assertEquals(0, s.visionStart[0], "right-padded vision");
            }
        }
        Split trainIds = ids.train();
        assertNull(trainIds.textFeatures, "BERT mode leaves the 768-d features in the file");
        int[] firstIds = new int[trainIds.textLen];
        System.arraycopy(trainIds.textIds, 0, firstIds, 0, firstIds.length);
        assertArrayEquals(ints(exp.getAsJsonObject("train"), "text_ids_0"), firstIds);
        if (!aligned) {
            assertTrue(features.notes().stream().anyMatch(n -> n.contains("audio is front-padded")), features.notes().toString());
            assertTrue(features.notes().stream().noneMatch(n -> n.contains("vision is front-padded")));
            float[][] last = features.train().audio.frames(0, 0, features.train().audio.length());
            assertEquals(0f, last[last.length - 1][2], "-inf mapped to 0");
            assertTrue(features.notes().stream().anyMatch(n -> n.contains("train/audio: 1 non-finite")), features.notes().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mult_mosi_np1_p2.pkl", "mult_mosi_np1_p4.pkl", "mult_mosi_np1_p5.pkl",
        "mult_mosi_np2_p2.pkl", "mult_mosi_np2_p4.pkl", "mult_mosi_np2_p5.pkl",
        "mult_mosei_np1_p4.pkl", "mult_mosei_np2_p4.pkl"})
    void mult(String file) throws IOException {
        String kind = file.contains("mosei") ? "mosei" : "mosi";
        JsonObject exp = expected("mult_" + kind);
        Path csv = resource("mult_" + kind + "_labels.csv");
        MultimodalDataset d = MultReader.read(resource(file), csv, null);
        assertEquals(6, d.info().textFeatureDim());
        for (Split s : d.splits()) {
            JsonObject e = exp.getAsJsonObject(s.name);
            assertEquals(e.get("n").getAsInt(), s.size());
            assertArrayEquals(floats(e, "labels"), s.labels, 1e-6f, "sentiment is the first label column");
            assertArrayEquals(ints(e, "text_lengths"), s.textLengths, "front padding: valid from the first non-zero frame");
            assertArrayEquals(ints(e, "audio_lengths"), s.audioLengths);
            assertArrayEquals(ints(e, "vision_lengths"), s.visionLengths);
            assertArrayEquals(floats(e, "audio_first_valid_0"), s.audio.frames(0, s.audioStart[0], 1)[0], 1e-6f);
            assertArrayEquals(floats(e, "text_first_valid_0"), s.textFeatures.frames(0, s.textStart[0], 1)[0], 1e-6f);
            assertTrue(s.rawText[0].split(" ").length >= 2, "transcript taken from the CSV");
            String note = s.name + "/audio: " + e.get("nonfinite_audio").getAsLong() + " non-finite values mapped to 0";
            assertTrue(d.notes().contains(note), note + " in " + d.notes());
        }
        assertEquals(kind.equals("mosei"), d.notes().stream().anyMatch(n -> n.contains("by position")));
        Split s = d.train();
        float[][] a = s.audio.frames(1, 0, s.audio.length());
        assertEquals(0f, a[a.length - 1][0], "-inf mapped to 0");

        MultimodalDataset bert = MultReader.read(resource(file), csv, new WordPieceText(resource("vocab.txt")));
        Split b = bert.train();
        assertNull(b.textFeatures);
        assertEquals(2, b.textIds[0], "[CLS]");
        assertEquals(3, b.textIds[b.textLengths[0] - 1], "[SEP]");
        assertEquals(b.rawText[0].split(" ").length + 2, b.textLengths[0], "one word piece per known word");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mult_mosi_np2_p4.pkl"})
    void transcriptsWithCommasAndWordPieces(String file) {
        MultimodalDataset bert = MultReader.read(resource(file), resource("mult_mosi_labels.csv"), new WordPieceText(resource("vocab.txt")));
        Split all = bert.test();
        int last = all.size() - 1;
        assertTrue(all.rawText[last].endsWith(", really"), "quoted CSV cell with a comma: " + all.rawText[last]);
        WordPieceText wp = new WordPieceText(resource("vocab.txt"));
        int[] ids = new int[8];
        assertEquals(6, wp.encode("the acting fine", ids, 0, 8), "[CLS] the act ##ing fine [SEP]");
        assertEquals(1, wp.encode("zebra", ids, 0, 8) - 2, "unknown word -> one [UNK]");
        assertEquals(1, ids[1]);
    }

    private static float[] floats(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    private static int[] ints(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
