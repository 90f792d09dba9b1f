package org.mecam.model;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mecam.config.ConfigException;
import org.mecam.data.io.Safetensors;

/**
 * A Hugging Face BERT folder as {@code save_pretrained} writes it ({@code --pretrained DIR}):
 * {@code config.json} gives the sizes, {@code model.safetensors} the weights (tensor names of
 * {@code BertModel}, or of {@code BertFor...} models with their {@code bert.} prefix; LayerNorm
 * {@code gamma}/{@code beta} of old checkpoints are read as {@code weight}/{@code bias}).
 *
 * <p>{@link #open} checks every tensor the encoder needs, by name, dtype and shape, from the
 * file's header alone, so that a damaged or mismatched folder is one error before anything is
 * built. A folder with only {@code pytorch_model.bin} is refused with the one-line conversion.
 */
public final class PretrainedBert {

    /** The kit's GELU is the exact (erf) one: Hugging Face's {@code gelu}. */
    private static final List<String> EXACT_GELU = List.of("gelu", "gelu_python");

    /** A BERT's sizes, from config.json. */
    public record Sizes(int vocab, int hidden, int layers, int heads, int intermediate, int positions, int segments,
            float normEpsilon) {

        /** @return the sizes as config.json names them, for logs and provenance */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("vocab_size", vocab);
            m.put("hidden_size", hidden);
            m.put("num_hidden_layers", layers);
            m.put("num_attention_heads", heads);
            m.put("intermediate_size", intermediate);
            m.put("max_position_embeddings", positions);
            m.put("type_vocab_size", segments);
            m.put("layer_norm_eps", (double) normEpsilon);
            return m;
        }
    }

    private final Path dir;
    private final Sizes sizes;
    private final Safetensors weights;
    private final String prefix;

    private PretrainedBert(Path dir, Sizes sizes, Safetensors weights, String prefix) {
        this.dir = dir;
        this.sizes = sizes;
        this.weights = weights;
        this.prefix = prefix;
    }

    /**
     * Reads {@code dir}'s config.json and its weights' header, and checks every tensor the
     * encoder needs.
     *
     * @throws ConfigException in one line naming the file, and for a tensor its key and both shapes
     */
    public static PretrainedBert open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("pretrained: not a folder: " + dir.toAbsolutePath()
                    + " (--pretrained names a Hugging Face BERT folder with config.json and model.safetensors)");
        }
        Sizes sizes = sizes(dir.resolve("config.json"));
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
                String out = dir.toAbsolutePath() + "-safetensors";
                throw new ConfigException(dir.resolve("pytorch_model.bin") + ": the kit reads model.safetensors only;"
                        + " convert the folder once with transformers: python -c \"from transformers import AutoTokenizer,"
                        + " BertModel; d, o = '" + dir.toAbsolutePath() + "', '" + out + "'; BertModel.from_pretrained(d)"
                        + ".save_pretrained(o); AutoTokenizer.from_pretrained(d).save_pretrained(o)\" and pass --pretrained "
                        + out);
            }
            throw new ConfigException(file + ": missing (a Hugging Face BERT folder holds config.json and model.safetensors"
                    + (Files.isRegularFile(dir.resolve("model.safetensors.index.json")) ? "; sharded weights are not read" : "")
                    + ")");
        }
        Safetensors weights = Safetensors.open(file);
        String prefix = weights.entries().containsKey("embeddings.word_embeddings.weight") ? ""
                : weights.entries().containsKey("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        PretrainedBert bert = new PretrainedBert(dir, sizes, weights, prefix);
        bert.expected().forEach(bert::entry);
        return bert;
    }

    private static Sizes sizes(Path file) {
        JsonObject c;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file));
            if (!parsed.isJsonObject()) {
                throw new ConfigException(file + ": not a JSON object");
            }
            c = parsed.getAsJsonObject();
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + Safetensors.firstLine(e.getMessage())
                    + "); a Hugging Face BERT folder holds config.json and model.safetensors");
        } catch (com.google.gson.JsonParseException e) {
            throw new ConfigException(file + ": not JSON (" + Safetensors.firstLine(e.getMessage()) + ")");
        }
        String type = text(c, "model_type", "bert");
        if (!type.equals("bert")) {
            throw new ConfigException(file + ": model_type is '" + type + "'; the kit loads BERT ('bert') only");
        }
        String act = text(c, "hidden_act", "gelu");
        if (!EXACT_GELU.contains(act)) {
            throw new ConfigException(file + ": hidden_act is '" + act + "'; the kit's BERT has the exact (erf) GELU, 'gelu'");
        }
        String positions = text(c, "position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw new ConfigException(file + ": position_embedding_type is '" + positions + "'; the kit's BERT has"
                    + " absolute position embeddings only");
        }
        Sizes s = new Sizes(integer(file, c, "vocab_size", null), integer(file, c, "hidden_size", null),
                integer(file, c, "num_hidden_layers", null), integer(file, c, "num_attention_heads", null),
                integer(file, c, "intermediate_size", null), integer(file, c, "max_position_embeddings", null),
                integer(file, c, "type_vocab_size", 2),
                c.has("layer_norm_eps") ? c.get("layer_norm_eps").getAsFloat() : 1e-12f);
        if (s.hidden % s.heads != 0) {
            throw new ConfigException(file + ": hidden_size " + s.hidden + " is not divisible by num_attention_heads " + s.heads);
        }
        return s;
    }

    private static String text(JsonObject c, String key, String fallback) {
        return c.has(key) && c.get(key).isJsonPrimitive() ? c.get(key).getAsString() : fallback;
    }

    private static int integer(Path file, JsonObject c, String key, Integer fallback) {
        if (!c.has(key) || c.get(key).isJsonNull()) {
            if (fallback == null) {
                throw new ConfigException(file + ": '" + key + "' is missing");
            }
            return fallback;
        }
        try {
            int v = c.get(key).getAsInt();
            if (v > 0) {
                return v;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new ConfigException(file + ": '" + key + "' must be a positive integer, got " + c.get(key));
    }

    /** @return every tensor key the encoder reads, with its shape, in the folder's sizes */
    private Map<String, Shape> expected() {
        int h = sizes.hidden;
        Map<String, Shape> m = new LinkedHashMap<>();
        m.put("embeddings.word_embeddings.weight", new Shape(sizes.vocab, h));
        m.put("embeddings.position_embeddings.weight", new Shape(sizes.positions, h));
        m.put("embeddings.token_type_embeddings.weight", new Shape(sizes.segments, h));
        m.put("embeddings.LayerNorm.weight", new Shape(h));
        m.put("embeddings.LayerNorm.bias", new Shape(h));
        for (int i = 0; i < sizes.layers; i++) {
            String p = "encoder.layer." + i + ".";
            for (String linear : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense"}) {
                m.put(p + linear + ".weight", new Shape(h, h));
                m.put(p + linear + ".bias", new Shape(h));
            }
            m.put(p + "intermediate.dense.weight", new Shape(sizes.intermediate, h));
            m.put(p + "intermediate.dense.bias", new Shape(sizes.intermediate));
            m.put(p + "output.dense.weight", new Shape(h, sizes.intermediate));
            m.put(p + "output.dense.bias", new Shape(h));
            for (String norm : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
                m.put(p + norm + ".weight", new Shape(h));
                m.put(p + norm + ".bias", new Shape(h));
            }
        }
        return m;
    }

    /** @return the header entry of {@code key} (prefixed, or as gamma/beta), checked against {@code shape} */
    private Safetensors.Entry entry(String key, Shape shape) {
        Safetensors.Entry e = weights.entries().get(prefix + key);
        if (e == null && key.contains("LayerNorm.")) {
            e = weights.entries().get(prefix + key.replace("LayerNorm.weight", "LayerNorm.gamma")
                    .replace("LayerNorm.bias", "LayerNorm.beta"));
        }
        Path file = weights.file();
        if (e == null) {
            throw new ConfigException(file + ": no tensor '" + prefix + key + "', which the BERT of "
                    + dir.resolve("config.json").getFileName() + " (" + sizes.layers + " layers) needs");
        }
        if (!List.of("F32", "F16", "BF16", "F64").contains(e.dtype())) {
            throw new ConfigException(file + ": tensor '" + e.name() + "' has dtype " + e.dtype() + ", not a floating-point one");
        }
        if (!java.util.Arrays.equals(e.shape(), shape.getShape())) {
            throw new ConfigException(file + ": tensor '" + e.name() + "' has shape " + e.shapeText() + ", config.json's sizes"
                    + " need " + Safetensors.Entry.shapeText(shape.getShape()));
        }
        return e;
    }

    /**
     * @return tensor {@code key}'s values as float32
     * @throws ConfigException naming the file, tensor and both shapes when it is absent or of another shape
     */
    float[] tensor(String key, Shape shape) {
        return weights.floats(entry(key, shape).name());
    }

    /** @return the arrays one after the other */
    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** @return the folder */
    public Path dir() {
        return dir;
    }

    /** @return the sizes from config.json */
    public Sizes sizes() {
        return sizes;
    }

    /**
     * @param vocabSize the data's token ids are below this
     * @param maxLength the data's longest text
     * @return an encoder builder with this BERT's sizes and LayerNorm epsilon
     * @throws ConfigException when the data's ids or lengths do not fit the pretrained model
     */
    public BertEncoder.Builder configure(int vocabSize, int maxLength) {
        if (vocabSize > sizes.vocab) {
            throw new ConfigException("pretrained: the data's token ids go up to " + (vocabSize - 1) + ", "
                    + dir.resolve("config.json") + " has vocab_size " + sizes.vocab + " (another tokenizer's ids?)");
        }
        if (maxLength > sizes.positions) {
            throw new ConfigException("pretrained: the data's texts have " + maxLength + " tokens, "
                    + dir.resolve("config.json") + " has max_position_embeddings " + sizes.positions);
        }
        return BertEncoder.builder().sizes(sizes.layers, sizes.hidden, sizes.heads, sizes.intermediate)
                .segments(sizes.segments).normEpsilon(sizes.normEpsilon).vocabSize(sizes.vocab).maxLength(sizes.positions);
    }

    /**
     * @return the SHA-256 of every file in {@code dir} (not its subfolders), by name, in name
     *     order; symbolic links (a Hugging Face cache's snapshot) are followed
     */
    public static Map<String, String> fileHashes(Path dir) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(Files::isRegularFile).sorted().forEach(files::add);
            for (Path f : files) {
                out.put(f.getFileName().toString(), sha256(f));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot hash the files of " + dir, e);
        }
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
