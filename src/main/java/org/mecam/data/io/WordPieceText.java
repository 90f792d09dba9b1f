package org.mecam.data.io;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.bert.BertFullTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.mecam.data.DataFormatException;

/** Turns raw transcripts into BERT token ids ([CLS] ... [SEP], right-padded) with a WordPiece vocab file. */
public final class WordPieceText implements TranscriptTokenizer {

    private final DefaultVocabulary vocab;
    private final BertFullTokenizer tokenizer;

    /**
     * @param vocabFile a BERT {@code vocab.txt} (one token per line, id = line number), lower-cased
     * @throws DataFormatException naming the file if it cannot be read or lacks [CLS], [SEP], [UNK]
     */
    public WordPieceText(Path vocabFile) {
        this(vocabFile, true);
    }

    /**
     * @param vocabFile a BERT {@code vocab.txt} (one token per line, id = line number)
     * @param lowerCase lower-case (and strip accents from) the text first, as uncased BERTs do
     * @throws DataFormatException naming the file if it cannot be read or lacks [CLS], [SEP], [UNK]
     */
    public WordPieceText(Path vocabFile, boolean lowerCase) {
        try {
            vocab = DefaultVocabulary.builder().addFromTextFile(vocabFile).optUnknownToken("[UNK]").build();
        } catch (IOException e) {
            throw new DataFormatException(vocabFile.toAbsolutePath() + ": cannot read the vocabulary: " + e.getMessage());
        }
        for (String special : new String[] {"[CLS]", "[SEP]", "[UNK]", "[PAD]"}) {
            if (!vocab.contains(special)) {
                throw new DataFormatException(vocabFile + ": not a BERT vocabulary, it lacks " + special);
            }
        }
        tokenizer = new BertFullTokenizer(vocab, lowerCase);
    }

    @Override
    public int unknownId() {
        return (int) vocab.getIndex("[UNK]");
    }

    @Override
    public int size() {
        return (int) vocab.size();
    }

    @Override
    public int encode(String text, int[] ids, int row, int len) {
        List<String> pieces = tokenizer.tokenize(text == null ? "" : text);
        int words = Math.min(pieces.size(), len - 2);
        ids[row * len] = (int) vocab.getIndex("[CLS]");
        for (int k = 0; k < words; k++) {
            ids[row * len + 1 + k] = (int) vocab.getIndex(pieces.get(k));
        }
        ids[row * len + words + 1] = (int) vocab.getIndex("[SEP]");
        return words + 2;
    }
}
