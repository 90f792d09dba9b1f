package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.data.io.SafetensorsFiles;
import org.mecam.model.BertEncoder;
import org.mecam.model.PretrainedBert;

/**
 * {@code --pretrained DIR} without Python: a BERT folder written from Java loads tensor by tensor
 * into the right parameters, trains, and is recorded with its files' hashes; a damaged or
 * mismatched folder is one {@code error:} line, exit 2, and leaves no results behind.
 * (PretrainedBertTest compares the outputs with transformers'.)
 */
class PretrainedFolderTest {

    /** The tiny preset's vocabulary and text length. */
    static final int VOCAB = 64;
    static final int HIDDEN = 8;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    @Test
    void weightsGoWhereTheirNamesSay() throws IOException {
        Path dir = tmp.resolve("bert");
        Map<String, SafetensorsFiles.Tensor> t = SafetensorsFiles.bert(dir, VOCAB, HIDDEN, 2, 20);
        PretrainedBert bert = PretrainedBert.open(dir);
        assertEquals(new PretrainedBert.Sizes(VOCAB, HIDDEN, 2, 1, 2 * HIDDEN, 20, 2, 1e-12f), bert.sizes());
        try (NDManager m = NDManager.newBaseManager()) {
            BertEncoder encoder = bert.configure(VOCAB, 16).build();
            encoder.initialize(m, DataType.FLOAT32, new Shape(2, 16), new Shape(2, 16), new Shape(2));
            encoder.load(bert);
            Map<String, float[]> p = new HashMap<>();
            for (Pair<String, Parameter> e : encoder.getParameters()) {
                p.put(e.getKey().replaceAll("(^|_)\\d\\d", "$1"), e.getValue().getArray().toFloatArray());
            }
            assertArrayEquals(t.get("embeddings.word_embeddings.weight").values(), p.get("tokenEmbedding"));
            assertArrayEquals(t.get("embeddings.LayerNorm.bias").values(), p.get("embeddingNorm_beta"));
            String l1 = "encoder.layer.1.";
            float[] qkv = p.get("layer1_qkv_weight");
            int block = HIDDEN * HIDDEN;
            assertArrayEquals(t.get(l1 + "attention.self.query.weight").values(), Arrays.copyOfRange(qkv, 0, block));
            assertArrayEquals(t.get(l1 + "attention.self.key.weight").values(), Arrays.copyOfRange(qkv, block, 2 * block));
            assertArrayEquals(t.get(l1 + "attention.self.value.bias").values(),
                    Arrays.copyOfRange(p.get("layer1_qkv_bias"), 2 * HIDDEN, 3 * HIDDEN));
            assertArrayEquals(t.get(l1 + "output.dense.weight").values(), p.get("layer1_ffnOut_weight"));
            assertArrayEquals(t.get(l1 + "output.LayerNorm.weight").values(), p.get("layer1_norm2_gamma"));
            assertArrayEquals(t.get(l1 + "attention.output.LayerNorm.bias").values(), p.get("layer1_norm1_beta"));
        }
    }

    @Test
    void readsPrefixedNamesAndOldLayerNormNames() throws IOException {
        Path dir = tmp.resolve("for-pretraining");
        Map<String, SafetensorsFiles.Tensor> t = SafetensorsFiles.bert(dir, VOCAB, HIDDEN, 1, 20);
        Map<String, SafetensorsFiles.Tensor> renamed = new java.util.LinkedHashMap<>();
        t.forEach((k, v) -> renamed.put("bert." + k.replace("LayerNorm.weight", "LayerNorm.gamma")
                .replace("LayerNorm.bias", "LayerNorm.beta"), v));
        renamed.put("cls.predictions.bias", new SafetensorsFiles.Tensor("F32", new long[] {VOCAB}, new float[VOCAB]));
        SafetensorsFiles.write(dir.resolve("model.safetensors"), renamed);
        PretrainedBert bert = PretrainedBert.open(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            BertEncoder encoder = bert.configure(VOCAB, 16).build();
            encoder.initialize(m, DataType.FLOAT32, new Shape(2, 16), new Shape(2, 16), new Shape(2));
            encoder.load(bert);
            int checked = 0;
            for (Pair<String, Parameter> e : encoder.getParameters()) {
                if (e.getKey().endsWith("norm2_gamma")) {
                    checked++;
                    assertArrayEquals(t.get("encoder.layer.0.output.LayerNorm.weight").values(),
                            e.getValue().getArray().toFloatArray(), "LayerNorm.gamma read as weight");
                }
            }
            assertEquals(1, checked);
        }
    }

    @Test
    void trainsAndRecordsTheFolderInProvenance() throws IOException {
        Path dir = tmp.resolve("bert");
        SafetensorsFiles.bert(dir, VOCAB, HIDDEN, 1, 20);
        Path results = tmp.resolve("results");
        CliTest.Result r = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--text-mode", "bert",
                "--pretrained", dir.toString(), "--results", results.toString(), "--quiet", "--no-tensorboard");
        assertEquals(0, r.code(), r.err());
        Path run;
        try (var dirs = Files.list(results)) {
            run = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        JsonObject config = JsonParser.parseString(Files.readString(run.resolve("config.json"))).getAsJsonObject();
        assertEquals(dir.toString(), config.get("pretrained").getAsString(), "recorded for replays");
        JsonObject prov = config.getAsJsonObject("provenance").getAsJsonObject("pretrained");
        assertEquals(HIDDEN, prov.getAsJsonObject("sizes").get("hidden_size").getAsInt());
        assertEquals(PretrainedBert.fileHashes(dir).get("model.safetensors"),
                prov.getAsJsonObject("sha256").get("model.safetensors").getAsString());
        assertEquals(64, prov.getAsJsonObject("sha256").get("config.json").getAsString().length());
    }

    @Test
    void aDamagedOrMismatchedFolderIsOneErrorLine() throws IOException {
        Path missing = tmp.resolve("missing");
        Map<String, SafetensorsFiles.Tensor> t = SafetensorsFiles.bert(missing, VOCAB, HIDDEN, 2, 20);
        t.remove("encoder.layer.1.output.dense.weight");
        SafetensorsFiles.write(missing.resolve("model.safetensors"), t);
        rejected(missing, "model.safetensors", "no tensor 'encoder.layer.1.output.dense.weight'");

        Path shape = tmp.resolve("shape");
        t = SafetensorsFiles.bert(shape, VOCAB, HIDDEN, 2, 20);
        t.put("encoder.layer.0.intermediate.dense.weight", new SafetensorsFiles.Tensor("F32", new long[] {HIDDEN, 12},
                new float[HIDDEN * 12]));
        SafetensorsFiles.write(shape.resolve("model.safetensors"), t);
        rejected(shape, "model.safetensors", "tensor 'encoder.layer.0.intermediate.dense.weight' has shape (8, 12)",
                "need (16, 8)");

        Path notSafetensors = tmp.resolve("garbage");
        SafetensorsFiles.bert(notSafetensors, VOCAB, HIDDEN, 1, 20);
        Files.writeString(notSafetensors.resolve("model.safetensors"), "PK\u0003\u0004 a zip, not safetensors");
        rejected(notSafetensors, "model.safetensors", "not a safetensors file");

        Path binOnly = tmp.resolve("bin");
        SafetensorsFiles.bert(binOnly, VOCAB, HIDDEN, 1, 20);
        Files.move(binOnly.resolve("model.safetensors"), binOnly.resolve("pytorch_model.bin"));
        rejected(binOnly, "pytorch_model.bin", "reads model.safetensors only", "save_pretrained");

        Path noConfig = tmp.resolve("noconfig");
        SafetensorsFiles.bert(noConfig, VOCAB, HIDDEN, 1, 20);
        Files.delete(noConfig.resolve("config.json"));
        rejected(noConfig, "config.json", "cannot read");

        Path smallVocab = tmp.resolve("vocab");
        SafetensorsFiles.bert(smallVocab, 10, HIDDEN, 1, 20);
        rejected(smallVocab, "vocab_size 10");

        Path tanh = tmp.resolve("tanh");
        SafetensorsFiles.bert(tanh, VOCAB, HIDDEN, 1, 20);
        Files.writeString(tanh.resolve("config.json"), Files.readString(tanh.resolve("config.json"))
                .replace("\"gelu\"", "\"gelu_new\""));
        rejected(tanh, "hidden_act is 'gelu_new'");

        CliTest.Result features = CliTest.run("train", "--config", "tiny", "--pretrained", missing.toString(),
                "--results", tmp.resolve("r").toString());
        assertEquals(2, features.code());
        assertTrue(features.err().contains("pretrained: a BERT folder is for textMode=bert"), features.err());
    }

    private void rejected(Path dir, String... expected) {
        Path results = tmp.resolve("results-" + dir.getFileName());
        CliTest.Result r = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--text-mode", "bert",
                "--pretrained", dir.toString(), "--results", results.toString(), "--quiet");
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "message should mention '" + e + "': " + r.err());
        }
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertFalse(Files.exists(results), "no run directory");
    }
}
