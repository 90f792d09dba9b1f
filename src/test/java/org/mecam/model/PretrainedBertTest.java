package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.cli.Main;
import org.mecam.data.io.TranscriptTokenizer;
import org.mecam.data.io.WordPieceText;
import org.mecam.engine.NoGrad;

/**
 * {@code --pretrained} against transformers itself: make_bert.py (in the venv of
 * {@code scripts/python-env.sh --bert}) makes a small random BertModel, saves it with
 * save_pretrained and records its outputs; the kit's token states and [CLS] state must equal
 * them within 1e-4, and its tokenizers' ids the HF tokenizer's. Skipped, with the reason, where
 * transformers cannot be installed.
 */
@Tag("integration")
@Tag("python") // installs transformers and torch into .venv: -Dit.excluded=slow,python leaves it out
class PretrainedBertTest {

    static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    static Path tmp;

    static JsonObject reference;
    static Path folder;

    @BeforeAll
    static void makeReference() throws Exception {
        Path log = tmp.resolve("python.log");
        Process env = new ProcessBuilder("bash", ROOT.resolve("scripts/python-env.sh").toString(), "--bert")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ready = env.waitFor(1200, TimeUnit.SECONDS) && env.exitValue() == 0;
        Assumptions.assumeTrue(ready, () -> "transformers cannot be installed here (scripts/python-env.sh --bert): "
                + tail(log));
        String venv = System.getenv().getOrDefault("MECAM_VENV", ".venv");
        Process make = new ProcessBuilder(ROOT.resolve(venv).resolve("bin/python").toString(),
                ROOT.resolve("src/test/resources/pretrained/make_bert.py").toString(), tmp.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(make.waitFor(600, TimeUnit.SECONDS) && make.exitValue() == 0, () -> "make_bert.py failed: " + tail(log));
        reference = JsonParser.parseString(Files.readString(tmp.resolve("reference.json"))).getAsJsonObject();
        folder = tmp.resolve("bert");
        TestSupport.start();
    }

    @Test
    void tokenStatesAndClsEqualTransformers() {
        JsonArray ids = reference.getAsJsonArray("ids");
        int b = ids.size();
        int len = ids.get(0).getAsJsonArray().size();
        PretrainedBert bert = PretrainedBert.open(folder);
        try (NDManager m = NDManager.newBaseManager(); NoGrad ignored = NoGrad.enter()) {
            BertEncoder encoder = bert.configure(bert.sizes().vocab(), len).build();
            Shape idShape = new Shape(b, len);
            encoder.setInitializer(new ai.djl.training.initializer.NormalInitializer(0.02f), ai.djl.nn.Parameter.Type.WEIGHT);
            encoder.initialize(m, DataType.FLOAT32, idShape, idShape, new Shape(b));
            encoder.load(bert);
            NDArray idArray = m.create(longs(ids), idShape);
            NDArray mask = m.create(floats(reference.getAsJsonArray("mask")), idShape);
            NDList out = encoder.forward(new ParameterStore(m, false), new NDList(idArray, mask, m.zeros(new Shape(b))), false);
            float[] states = out.get(0).toFloatArray();
            float[] cls = out.get(1).toFloatArray();
            double statesDiff = maxAbsDiff(floats(reference.getAsJsonArray("states")), states);
            double clsDiff = maxAbsDiff(floats(reference.getAsJsonArray("cls")), cls);
            System.out.printf("PretrainedBertTest: transformers %s: max |kit - transformers| token states %.3g, [CLS] %.3g%n",
                    reference.get("transformers").getAsString(), statesDiff, clsDiff);
            assertEquals(new Shape(b, len, bert.sizes().hidden()), out.get(0).getShape());
            assertTrue(statesDiff <= 1e-4, "token states differ from transformers' by " + statesDiff);
            assertTrue(clsDiff <= 1e-4, "[CLS] states differ from transformers' by " + clsDiff);
        }
    }

    @Test
    void tokenizerIdsEqualTransformers() throws IOException {
        try (TranscriptTokenizer fromJson = TranscriptTokenizer.ofFolder(folder)) {
            assertTokenizes(fromJson, "tokenizer.json");
            assertEquals(reference.getAsJsonArray("states").get(0).getAsJsonArray().get(0).getAsJsonArray().size(),
                    PretrainedBert.open(folder).sizes().hidden());
        }
        Path vocabOnly = tmp.resolve("vocab-only");
        Files.createDirectories(vocabOnly);
        for (String f : new String[] {"config.json", "vocab.txt", "tokenizer_config.json"}) {
            Files.copy(folder.resolve(f), vocabOnly.resolve(f));
        }
        try (TranscriptTokenizer fromVocab = TranscriptTokenizer.ofFolder(vocabOnly)) {
            assertTrue(fromVocab instanceof WordPieceText, "vocab.txt-only folders use the kit's WordPiece");
            assertTokenizes(fromVocab, "vocab.txt");
        }
    }

    private static void assertTokenizes(TranscriptTokenizer tokenizer, String what) {
        JsonArray sentences = reference.getAsJsonArray("sentences");
        JsonArray expected = reference.getAsJsonArray("sentence_ids");
        for (int i = 0; i < sentences.size(); i++) {
            int[] want = ints(expected.get(i).getAsJsonArray());
            int[] ids = new int[64];
            int n = tokenizer.encode(sentences.get(i).getAsString(), ids, 0, 64);
            assertArrayEquals(want, java.util.Arrays.copyOf(ids, n), what + ": " + sentences.get(i));
            int[] cut = new int[4];
            assertEquals(4, tokenizer.encode(sentences.get(i).getAsString(), cut, 0, 4));
            assertArrayEquals(new int[] {want[0], want[1], want[2], want[want.length - 1]}, cut, "truncated, [SEP] kept");
        }
    }

    @Test
    void trainsFromCsvTranscriptsAndRecordsTheFolder() throws IOException {
        Path data = ROOT.resolve("src/test/resources/datasets");
        Path results = tmp.resolve("results");
        int code = Main.run("train", "--config", "tiny", "--dataset", "mult", "--path",
                data.resolve("mult_mosi_np2_p4.pkl").toString(), "--labels", data.resolve("mult_mosi_labels.csv").toString(),
                "--text-mode", "bert", "--pretrained", folder.toString(), "--epochs", "1", "--results", results.toString(),
                "--no-tensorboard", "--no-diagnostics");
        assertEquals(0, code);
        Path run;
        try (var dirs = Files.list(results)) {
            run = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        JsonObject config = JsonParser.parseString(Files.readString(run.resolve("config.json"))).getAsJsonObject();
        assertEquals(folder.toString(), config.get("pretrained").getAsString());
        JsonObject pretrained = config.getAsJsonObject("provenance").getAsJsonObject("pretrained");
        assertEquals(PretrainedBert.fileHashes(folder).get("model.safetensors"),
                pretrained.getAsJsonObject("sha256").get("model.safetensors").getAsString());
        assertEquals(32, pretrained.getAsJsonObject("sizes").get("hidden_size").getAsInt());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static void flatten(com.google.gson.JsonElement e, java.util.List<Double> out) {
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> flatten(x, out));
        } else {
            out.add(e.getAsDouble());
        }
    }

    static float[] floats(JsonArray a) {
        java.util.List<Double> all = new java.util.ArrayList<>();
        flatten(a, all);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i).floatValue();
        }
        return out;
    }

    private static long[] longs(JsonArray a) {
        float[] f = floats(a);
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (long) f[i];
        }
        return out;
    }

    private static int[] ints(JsonArray a) {
        return java.util.Arrays.stream(longs(a)).mapToInt(Math::toIntExact).toArray();
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
