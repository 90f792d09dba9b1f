package org.mecam.data.io;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mecam.data.DataFormatException;

/**
 * Turns CSV transcripts into BERT token ids ([CLS] ... [SEP], right-padded), for BERT mode on
 * {@code --dataset mult}: from a WordPiece {@code vocab.txt} ({@code --vocab}), or from a
 * pretrained BERT folder ({@code --pretrained}): its {@code tokenizer.json} through DJL's Hugging
 * Face tokenizers (the same Rust library transformers' fast tokenizers run), else its
 * {@code vocab.txt} with {@code do_lower_case} from {@code tokenizer_config.json}.
 */
public interface TranscriptTokenizer extends AutoCloseable {

    /**
     * Tokenises {@code text} into {@code ids[row * len ...]}: [CLS], the word pieces (truncated to
     * len - 2), [SEP].
     *
     * @return the number of valid tokens, [CLS] and [SEP] included
     */
    int encode(String text, int[] ids, int row, int len);

    /** @return the number of token ids */
    int size();

    /** @return the id of [UNK] */
    int unknownId();

    /** Frees native resources (DJL's tokenizer); nothing to do for the others. */
    @Override
    default void close() {}

    /**
     * @param dir a Hugging Face BERT folder
     * @return its tokenizer: tokenizer.json when present, else vocab.txt
     * @throws DataFormatException naming the folder when it holds neither
     */
    static TranscriptTokenizer ofFolder(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return new HfTokenizerText(json);
        }
        Path vocab = dir.resolve("vocab.txt");
        if (Files.isRegularFile(vocab)) {
            return new WordPieceText(vocab, lowerCase(dir.resolve("tokenizer_config.json")));
        }
        throw new DataFormatException(dir + ": holds neither tokenizer.json nor vocab.txt, so the CSV transcripts"
                + " cannot be tokenised as this BERT was trained");
    }

    /** @return tokenizer_config.json's do_lower_case (true when the file or key is absent, as for bert-*-uncased) */
    private static boolean lowerCase(Path config) {
        if (!Files.isRegularFile(config)) {
            return true;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
            return !o.has("do_lower_case") || o.get("do_lower_case").getAsBoolean();
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(config + ": cannot read do_lower_case: " + e.getMessage());
        }
    }
}
