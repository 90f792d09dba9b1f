package org.mecam.data.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.mecam.data.DataFormatException;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.io.pickle.NpyArray;

/**
 * Reads MMSA's {@code aligned_50.pkl} / {@code unaligned_50.pkl} (CMU-MOSI, CMU-MOSEI, CH-SIMS):
 * {@code {train, valid, test}}, each with {@code audio [N, La, Da]}, {@code vision [N, Lv, Dv]},
 * {@code text [N, Lt, 768]} (BERT features, feature mode) and / or {@code text_bert [N, 3, Lt]}
 * (token ids, attention mask, segment ids; BERT mode; {@code [N, Lt, 3]} in older files),
 * {@code regression_labels [N]}, and optionally {@code audio_lengths}, {@code vision_lengths}
 * (unaligned files), {@code id} ({@code video$_$clip}), {@code raw_text}.
 *
 * <p>Text lengths come from the attention mask, audio / vision lengths from the file when present
 * (the padding side is detected from the data: MMSA's unaligned MOSI / MOSEI audio and vision
 * come from MulT's front-padded arrays) and otherwise from the last non-zero frame.
 * Little-endian float32 arrays are mapped in place, others converted.
 */
public final class MmsaReader {

    private static final Logger LOG = LoggerFactory.getLogger(MmsaReader.class);
    /** Vocabulary of bert-base-uncased, the tokenizer of MMSA's text_bert. */
    static final int BERT_VOCAB = 30522;
    /** Token ids must be below this: the largest common BERT-family vocabulary (XLM-R, 250002). */
    static final int MAX_VOCAB = 250_002;
    /** [UNK] in bert-base-uncased. */
    static final int BERT_UNK = 100;

    private MmsaReader() {}

    /**
     * @param file the pickle
     * @param features load {@code text} (feature mode)
     * @param ids load {@code text_bert} (BERT mode)
     */
    public static MultimodalDataset read(Path file, boolean features, boolean ids) {
        try (PickleData data = PickleData.open(file, "MMSA")) {
            return read(data, file, features, ids);
        } catch (java.io.IOException e) {
            throw new DataFormatException(file + ": " + e.getMessage());
        }
    }

    private static MultimodalDataset read(PickleData data, Path file, boolean features, boolean ids) {
        List<String> notes = new ArrayList<>();
        PickleData.NonFinite nonFinite = new PickleData.NonFinite();
        Split[] splits = new Split[3];
        for (int k = 0; k < 3; k++) {
            splits[k] = split(data.split(PickleData.SPLITS.get(k)), features, ids, notes, nonFinite);
        }
        nonFinite.counts().forEach((where, n) -> notes.add(where + ": " + n + " non-finite values mapped to 0"));
        Split train = splits[0];
        boolean aligned = !data.split("train").has("audio_lengths");
        int vocab = ids ? Math.max(BERT_VOCAB, maxId(file, splits) + 1) : 0;
        MultimodalDataset.Info info = new MultimodalDataset.Info("mmsa:" + stem(file),
                file.toAbsolutePath() + " (MMSA layout, " + (aligned ? "aligned" : "unaligned") + ")", train.textLen,
                train.textFeatures == null ? 0 : train.textFeatures.dim(), vocab, train.audio.length(), train.audio.dim(),
                train.vision.length(), train.vision.dim(), aligned, BERT_UNK);
        notes.forEach(n -> LOG.info("{}: {}", file.getFileName(), n));
        return new MultimodalDataset(info, splits[0], splits[1], splits[2], notes);
    }

    private static Split split(PickleData.Split0 s, boolean features, boolean ids, List<String> notes,
            PickleData.NonFinite nonFinite) {
        float[] labels = Labels.regression(s, "regression_labels", notes);
        int n = labels.length;
        NpyArray audio = s.array("audio", "[N, La, Da]", 3);
        NpyArray vision = s.array("vision", "[N, Lv, Dv]", 3);
        s.requireN("audio", audio.shape()[0], n, "regression_labels");
        s.requireN("vision", vision.shape()[0], n, "regression_labels");
        Split.Builder b = Split.builder(s.name).labels(labels);
        int[] textLengths = null;
        int textLen = 0;
        if (s.has("text_bert") || ids) {
            TextBert tb = textBert(s, n);
            textLengths = tb.lengths;
            textLen = tb.len;
            if (ids) {
                b.textIds(tb.ids, tb.len);
            }
        }
        if (features) {
            NpyArray text = s.array("text", "[N, Lt, 768] BERT features (feature mode; BERT mode reads text_bert)", 3);
            s.requireN("text", text.shape()[0], n, "regression_labels");
            FrameStore store = PickleData.frames(s, "text", text, nonFinite);
            if (textLengths == null) {
                textLengths = PickleData.rightLengths(store);
                textLen = store.length();
                notes.add(s.name + ": no text_bert, text lengths taken from the last non-zero token");
            } else if (store.length() != textLen) {
                throw new DataFormatException(s.where("text") + ": has " + store.length() + " tokens but text_bert has "
                        + textLen);
            }
            b.textFeatures(store, null);
        }
        b.textLengths(textLengths);
        FrameStore a = PickleData.frames(s, "audio", audio, nonFinite);
        FrameStore v = PickleData.frames(s, "vision", vision, nonFinite);
        int[][] al = sequence(s, "audio", a, n, textLengths, textLen, notes);
        int[][] vl = sequence(s, "vision", v, n, textLengths, textLen, notes);
        b.audio(a, al[0], al[1]).vision(v, vl[0], vl[1]);
        List<String> idList = s.strings("id");
        if (idList != null) {
            s.requireN("id", idList.size(), n, "regression_labels");
        }
        b.ids(idList == null ? defaultIds(s.name, n) : idList.toArray(new String[0]));
        List<String> raw = s.strings("raw_text");
        if (raw != null && raw.size() == n) {
            b.rawText(raw.toArray(new String[0]));
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new DataFormatException(s.file + ": " + e.getMessage());
        }
    }

    /**
     * Audio or vision lengths: stored ones (checking which side is padded), else the text's for
     * aligned data (same padded length), else the last non-zero frame.
     *
     * @return {lengths, starts}
     */
    private static int[][] sequence(PickleData.Split0 s, String key, FrameStore frames, int n, int[] textLengths,
            int textLen, List<String> notes) {
        String lengthsKey = key + "_lengths";
        if (s.has(lengthsKey)) {
            int[] lengths = PickleData.lengths(s, lengthsKey, n, frames.length());
            if (!PickleData.frontPadded(frames, lengths)) {
                return new int[][] {lengths, null};
            }
            if (s.name.equals("train")) {
                notes.add(key + " is front-padded (zeros before the valid frames): reading frames from the end");
            }
            int[] starts = new int[n];
            for (int i = 0; i < n; i++) {
                starts[i] = frames.length() - lengths[i];
            }
            return new int[][] {lengths, starts};
        }
        if (textLengths != null && frames.length() == textLen) {
            return new int[][] {textLengths.clone(), null};
        }
        return new int[][] {PickleData.rightLengths(frames), null};
    }

    /** text_bert: ids, lengths (attention mask sums) and padded length. */
    private record TextBert(int[] ids, int[] lengths, int len) {}

    private static TextBert textBert(PickleData.Split0 s, int n) {
        NpyArray tb = s.array("text_bert", "[N, 3, Lt] (token ids, attention mask, segment ids)", 3);
        long[] shape = tb.shape();
        s.requireN("text_bert", shape[0], n, "regression_labels");
        boolean rowsFirst = shape[1] == 3;
        if (!rowsFirst && shape[2] != 3) {
            throw new DataFormatException(s.where("text_bert") + ": has shape " + Arrays.toString(shape)
                    + ", expected [N, 3, Lt] or [N, Lt, 3]");
        }
        int len = (int) (rowsFirst ? shape[2] : shape[1]);
        long[] values = tb.toLongArray();
        int[] ids = new int[n * len];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            int count = 0;
            for (int t = 0; t < len; t++) {
                int idAt = rowsFirst ? (i * 3) * len + t : (i * len + t) * 3;
                int maskAt = rowsFirst ? (i * 3 + 1) * len + t : (i * len + t) * 3 + 1;
                ids[i * len + t] = (int) values[idAt];
                count += values[maskAt] != 0 ? 1 : 0;
            }
            lengths[i] = Math.max(1, count);
        }
        return new TextBert(ids, lengths, len);
    }

    /**
     * @return the largest token id
     * @throws DataFormatException for a negative id or one of {@link #MAX_VOCAB} or more (the
     *     embedding table is sized by the largest id: an id of 1e9 would ask for 3 TB)
     */
    private static int maxId(Path file, Split[] splits) {
        int m = 0;
        for (Split s : splits) {
            if (s.textIds != null) {
                for (int i = 0; i < s.textIds.length; i++) {
                    int id = s.textIds[i];
                    if (id < 0 || id >= MAX_VOCAB) {
                        throw new DataFormatException(file + ": split '" + s.name + "', key 'text_bert': token id " + id
                                + " (sample " + i / s.textLen + ", position " + i % s.textLen + ") is outside [0, "
                                + MAX_VOCAB + "), the range of BERT vocabularies");
                    }
                    m = Math.max(m, id);
                }
            }
        }
        return m;
    }

    static String[] defaultIds(String split, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = split + "$_$" + i;
        }
        return out;
    }

    static String stem(Path file) {
        return file.getFileName().toString().replaceAll("\\.[^.]*$", "");
    }
}
