package org.mecam.data.io;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mecam.data.DataFormatException;

/**
 * A Hugging Face {@code tokenizer.json} (normaliser, pre-tokeniser, WordPiece model and the
 * [CLS] ... [SEP] template), run by DJL's binding of the Rust tokenizers library: the ids
 * transformers' fast tokenizer gives.
 */
final class HfTokenizerText implements TranscriptTokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final int size;
    private final int unknownId;

    /** @throws DataFormatException naming the file when it cannot be read or has no WordPiece vocabulary */
    HfTokenizerText(Path file) {
        JsonObject model;
        int maxId = -1;
        try {
            JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            model = root.getAsJsonObject("model");
            for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
                maxId = Math.max(maxId, e.getValue().getAsInt());
            }
            if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
                for (JsonElement t : root.getAsJsonArray("added_tokens")) {
                    maxId = Math.max(maxId, t.getAsJsonObject().get("id").getAsInt());
                }
            }
            String unk = model.has("unk_token") ? model.get("unk_token").getAsString() : "[UNK]";
            JsonElement unkId = model.getAsJsonObject("vocab").get(unk);
            if (unkId == null) {
                throw new DataFormatException(file + ": its vocabulary lacks the unknown token " + unk);
            }
            unknownId = unkId.getAsInt();
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getMessage());
        } catch (DataFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataFormatException(file + ": not a Hugging Face WordPiece tokenizer.json (" + e.getMessage() + ")");
        }
        size = maxId + 1;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file, Map.of());
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file + ": the Hugging Face tokenizer cannot load it: " + e.getMessage());
        }
    }

    @Override
    public int encode(String text, int[] ids, int row, int len) {
        long[] pieces = tokenizer.encode(text == null ? "" : text, true, false).getIds();
        int n = Math.min(pieces.length, len);
        for (int k = 0; k < n - 1; k++) {
            ids[row * len + k] = (int) pieces[k];
        }
        ids[row * len + n - 1] = (int) pieces[pieces.length - 1]; // [SEP] stays last when truncated
        return n;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int unknownId() {
        return unknownId;
    }
}
