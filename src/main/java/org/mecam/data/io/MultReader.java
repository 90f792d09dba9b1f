package org.mecam.data.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.mecam.data.DataFormatException;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.io.pickle.NpyArray;

/**
 * Reads MulT / MMIM's {@code mosi_data_noalign.pkl} / {@code mosei_senti_data_noalign.pkl} with
 * its label CSV: {@code {train, valid, test}}, each with {@code text [N, 50, 300]} (GloVe),
 * {@code audio [N, 375|500, Da]}, {@code vision [N, 500, Dv]}, {@code labels [N, 1, 1]} (MOSEI:
 * 7 columns, sentiment first) and {@code id [N, 3]} byte strings ({@code video_clip} in column 0).
 *
 * <p>Sequences are front-padded with zero frames: the valid part runs from the first frame with
 * a non-zero value to the end, and is read in place. Non-finite values (COVAREP's -inf) become 0
 * and are counted. Each sample is matched to its CSV row by video and clip id (MOSEI files whose
 * ids are bare video ids: by position, when the CSV lists exactly the pickle's samples in order
 * and every row's video matches). The CSV's transcripts feed BERT mode through a WordPiece
 * vocabulary when one is given; otherwise the GloVe features feed feature mode.
 */
public final class MultReader {

    private static final Logger LOG = LoggerFactory.getLogger(MultReader.class);

    private MultReader() {}

    /**
     * @param file the pickle
     * @param labelsCsv the label CSV (video_id, clip_id, text, ...)
     * @param tokenizer tokenises the CSV transcripts for BERT mode, or null for feature mode
     */
    public static MultimodalDataset read(Path file, Path labelsCsv, TranscriptTokenizer tokenizer) {
        LabelCsv csv = LabelCsv.read(labelsCsv);
        try (PickleData data = PickleData.open(file, "MulT")) {
            List<String> notes = new ArrayList<>();
            PickleData.NonFinite nonFinite = new PickleData.NonFinite();
            Matcher matcher = new Matcher(csv, data);
            Split[] splits = new Split[3];
            for (int k = 0; k < 3; k++) {
                splits[k] = split(data.split(PickleData.SPLITS.get(k)), csv, matcher, tokenizer, notes, nonFinite);
            }
            nonFinite.counts().forEach((where, n) -> notes.add(where + ": " + n + " non-finite values mapped to 0"));
            if (matcher.positional) {
                notes.add("ids hold no clip numbers: matched to " + csv.file().getFileName()
                        + " by position (every row's video id checked)");
            }
            Split train = splits[0];
            MultimodalDataset.Info info = new MultimodalDataset.Info("mult:" + MmsaReader.stem(file),
                    file.toAbsolutePath() + " (MulT layout) with " + labelsCsv.getFileName(), train.textLen,
                    train.textFeatures == null ? 0 : train.textFeatures.dim(), tokenizer == null ? 0 : tokenizer.size(),
                    train.audio.length(), train.audio.dim(), train.vision.length(), train.vision.dim(), false,
                    tokenizer == null ? MmsaReader.BERT_UNK : tokenizer.unknownId());
            notes.forEach(n -> LOG.info("{}: {}", file.getFileName(), n));
            return new MultimodalDataset(info, splits[0], splits[1], splits[2], notes);
        } catch (IOException e) {
            throw new DataFormatException(file + ": " + e.getMessage());
        }
    }

    private static Split split(PickleData.Split0 s, LabelCsv csv, Matcher matcher, TranscriptTokenizer tokenizer,
            List<String> notes, PickleData.NonFinite nonFinite) {
        float[] labels = Labels.regression(s, "labels", notes);
        int n = labels.length;
        Split.Builder b = Split.builder(s.name).labels(labels);
        List<String> ids = s.strings("id");
        if (ids == null) {
            throw new DataFormatException(s.file + ": split '" + s.name + "' has no key 'id' (expected [N, 3] byte strings"
                    + " with video_clip first, to match " + csv.file().getFileName() + "; keys: " + s.map.keySet() + ")");
        }
        s.requireN("id", ids.size(), n, "labels");
        int[] rows = matcher.rows(s, ids);
        String[] raw = new String[n];
        for (int i = 0; i < n; i++) {
            raw[i] = csv.text(rows[i]);
        }
        b.ids(ids.toArray(new String[0])).rawText(raw);
        if (tokenizer == null) {
            NpyArray text = s.array("text", "[N, 50, 300] GloVe features", 3);
            s.requireN("text", text.shape()[0], n, "labels");
            FrameStore store = PickleData.frames(s, "text", text, nonFinite);
            int[][] tl = PickleData.frontLengths(store);
            b.textFeatures(store, tl[1]).textLengths(tl[0]);
        } else {
            int len = s.has("text") ? (int) s.array("text", "[N, 50, 300]", 3).shape()[1] : 50;
            int[] tokens = new int[n * len];
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = tokenizer.encode(raw[i], tokens, i, len);
            }
            b.textIds(tokens, len).textLengths(lengths);
        }
        for (String key : new String[] {"audio", "vision"}) {
            NpyArray a = s.array(key, "[N, L, D]", 3);
            s.requireN(key, a.shape()[0], n, "labels");
            FrameStore store = PickleData.frames(s, key, a, nonFinite);
            int[][] l = PickleData.frontLengths(store);
            if (key.equals("audio")) {
                b.audio(store, l[0], l[1]);
            } else {
                b.vision(store, l[0], l[1]);
            }
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new DataFormatException(s.file + ": " + e.getMessage());
        }
    }

    /** Matches pickle samples to CSV rows: by video and clip id, or by position (MOSEI). */
    private static final class Matcher {
        private final LabelCsv csv;
        private final int total;
        private int offset;
        boolean positional;

        Matcher(LabelCsv csv, PickleData data) {
            this.csv = csv;
            int t = 0;
            for (String split : PickleData.SPLITS) {
                List<String> ids = data.split(split).strings("id");
                t += ids == null ? 0 : ids.size();
            }
            this.total = t;
        }

        int[] rows(PickleData.Split0 s, List<String> ids) {
            int[] rows = new int[ids.size()];
            int firstMissing = -1;
            for (int i = 0; i < rows.length; i++) {
                rows[i] = csv.rowOfMultId(ids.get(i));
                if (rows[i] < 0 && firstMissing < 0) {
                    firstMissing = i;
                }
            }
            if (firstMissing >= 0 && csv.size() == total && byPosition(ids, rows)) {
                positional = true;
            } else if (firstMissing >= 0) {
                String id = ids.get(firstMissing);
                int cut = id.lastIndexOf('_');
                throw new DataFormatException(csv.file() + ": no row for clip id '" + id + "' of " + s.file.getFileName()
                        + " split '" + s.name + "' sample " + firstMissing + " (looked for video_id '"
                        + (cut > 0 ? id.substring(0, cut) : id) + "', clip_id '" + (cut > 0 ? id.substring(cut + 1) : "")
                        + "'; the CSV has " + csv.size() + " rows, the pickle " + total + " samples)");
            }
            offset += ids.size();
            return rows;
        }

        private boolean byPosition(List<String> ids, int[] rows) {
            for (int i = 0; i < rows.length; i++) {
                if (!csv.videoId(offset + i).equals(ids.get(i))) {
                    return false;
                }
            }
            for (int i = 0; i < rows.length; i++) {
                rows[i] = offset + i;
            }
            return true;
        }
    }
}
