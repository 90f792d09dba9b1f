package org.mecam.data.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Writes small safetensors files and Hugging Face BERT folders for tests (no Python needed). */
public final class SafetensorsFiles {

    private SafetensorsFiles() {}

    /** One tensor to write: dtype F32, F16 or BF16, its shape and values. */
    public record Tensor(String dtype, long[] shape, float[] values) {}

    /** Writes {@code tensors} in order, as safetensors lays them out. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.values().length * (t.dtype().equals("F32") ? 4 : 2);
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":")
                    .append(java.util.Arrays.toString(t.shape()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.values().length * (t.dtype().equals("F32") ? 4 : 2))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.values()) {
                    switch (t.dtype()) {
                        case "F32" -> b.putFloat(v);
                        case "BF16" -> b.putShort((short) (Float.floatToIntBits(v) >>> 16));
                        default -> b.putShort(toHalf(v));
                    }
                }
                out.write(b.array());
            }
        }
    }

    /** @return v as IEEE half precision (normal range, truncated mantissa) */
    static short toHalf(float v) {
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        if (v == 0) {
            return (short) sign;
        }
        int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
        return (short) (sign | (exponent << 10) | ((bits >>> 13) & 0x3ff));
    }

    /**
     * The tensors of a random BERT as BertModel.save_pretrained names them (hidden h, one head of
     * width h, intermediate 2h), and its config.json.
     */
    public static Map<String, Tensor> bert(Path dir, int vocab, int hidden, int layers, int positions) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"architectures\": [\"BertModel\"],"
                + " \"vocab_size\": " + vocab + ", \"hidden_size\": " + hidden + ", \"num_hidden_layers\": " + layers
                + ", \"num_attention_heads\": 1, \"intermediate_size\": " + 2 * hidden + ", \"max_position_embeddings\": "
                + positions + ", \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12, \"hidden_act\": \"gelu\"}");
        Random r = new Random(3);
        Map<String, Tensor> t = new LinkedHashMap<>();
        put(t, r, "embeddings.word_embeddings.weight", vocab, hidden);
        put(t, r, "embeddings.position_embeddings.weight", positions, hidden);
        put(t, r, "embeddings.token_type_embeddings.weight", 2, hidden);
        put(t, r, "embeddings.LayerNorm.weight", hidden);
        put(t, r, "embeddings.LayerNorm.bias", hidden);
        for (int i = 0; i < layers; i++) {
            String p = "encoder.layer." + i + ".";
            for (String linear : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense"}) {
                put(t, r, p + linear + ".weight", hidden, hidden);
                put(t, r, p + linear + ".bias", hidden);
            }
            put(t, r, p + "attention.output.LayerNorm.weight", hidden);
            put(t, r, p + "attention.output.LayerNorm.bias", hidden);
            put(t, r, p + "intermediate.dense.weight", 2 * hidden, hidden);
            put(t, r, p + "intermediate.dense.bias", 2 * hidden);
            put(t, r, p + "output.dense.weight", hidden, 2 * hidden);
            put(t, r, p + "output.dense.bias", hidden);
            put(t, r, p + "output.LayerNorm.weight", hidden);
            put(t, r, p + "output.LayerNorm.bias", hidden);
        }
        put(t, r, "pooler.dense.weight", hidden, hidden);
        put(t, r, "pooler.dense.bias", hidden);
        write(dir.resolve("model.safetensors"), t);
        return t;
    }

    private static void put(Map<String, Tensor> t, Random r, String key, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.1);
        }
        t.put(key, new Tensor("F32", shape, v));
    }
}
