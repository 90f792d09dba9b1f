package org.mecam.data.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.mecam.data.DataFormatException;
import org.mecam.data.DatasetSource;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;
import org.mecam.data.io.pickle.ByteSource;
import org.mecam.data.io.pickle.NpyArray;
import org.mecam.data.io.pickle.PickleReader;

/**
 * What a dataset holds: every array of each split with its shape, dtype and non-finite count;
 * per split the sample count, sequence-length statistics and the 7-class label histogram; and
 * which model inputs the file can feed. The same tables serve {@code data inspect} and notebooks.
 */
public final class DataInspector {

    /** The inspection of one file or dataset. */
    public record Report(String source, String layout, Table arrays, Table lengths, Table labels, List<String> inputs,
            List<String> notes) {

        /** @return the report as text, as {@code data inspect} prints it */
        public String text() {
            StringBuilder sb = new StringBuilder();
            sb.append(source).append(layout.isEmpty() ? "" : " (" + layout + " layout)").append("\n\n");
            if (arrays != null) {
                sb.append(arrays.printAll()).append("\n\n");
            }
            sb.append(lengths.printAll()).append("\n\n").append(labels.printAll()).append("\n\n");
            sb.append("model inputs this data can feed:\n");
            inputs.forEach(i -> sb.append("  - ").append(i).append('\n'));
            if (!notes.isEmpty()) {
                sb.append("notes:\n");
                notes.forEach(n -> sb.append("  - ").append(n).append('\n'));
            }
            return sb.toString();
        }
    }

    private DataInspector() {}

    /**
     * Inspects a dataset pickle (MMSA or MulT layout, detected from its keys).
     *
     * @param labelsCsv the label CSV of a MulT file (needed to check the clip ids), or null
     * @throws DataFormatException naming file, split, key and shape when the file cannot be used
     */
    public static Report inspect(Path file, Path labelsCsv) {
        Table arrays = arrays(file);
        DatasetSource source = sourceOf(file);
        DatasetSource.Inspection in = source.inspect(file, labelsCsv, arrays);
        MultimodalDataset data = in.data();
        List<String> inputs = new ArrayList<>(in.inputs());
        inputs.add("audio " + data.info().audioDim() + "-d x " + data.info().audioLen() + " frames, vision "
                + data.info().visionDim() + "-d x " + data.info().visionLen() + " frames");
        return new Report(file.toAbsolutePath().toString(), in.layout(), arrays, lengths(data), labels(data), inputs,
                data.notes());
    }

    /** Inspects a dataset already in memory (synthetic or loaded). */
    public static Report inspect(MultimodalDataset data) {
        List<String> inputs = new ArrayList<>();
        if (data.info().hasTextFeatures()) {
            inputs.add("feature mode: text " + data.info().textLen() + " x " + data.info().textFeatureDim());
        }
        if (data.info().hasTextIds()) {
            inputs.add("BERT mode: token ids, vocabulary " + data.info().vocabSize());
        }
        return new Report(data.info().source(), "", null, lengths(data), labels(data), inputs, data.notes());
    }

    /** @return per split: n and the min / mean / max valid length of text, audio and vision */
    public static Table lengths(MultimodalDataset data) {
        StringColumn split = StringColumn.create("split");
        IntColumn n = IntColumn.create("n");
        List<DoubleColumn> stats = new ArrayList<>();
        for (String m : new String[] {"text", "audio", "vision"}) {
            for (String s : new String[] {"min", "mean", "max"}) {
                stats.add(DoubleColumn.create(m + "_len_" + s));
            }
        }
        IntColumn negative = IntColumn.create("negative_info");
        for (Split s : data.splits()) {
            split.append(s.name);
            n.append(s.size());
            int[][] lengths = {s.textLengths, s.audioLengths, s.visionLengths};
            for (int m = 0; m < 3; m++) {
                java.util.IntSummaryStatistics st = Arrays.stream(lengths[m]).summaryStatistics();
                stats.get(m * 3).append(st.getMin());
                stats.get(m * 3 + 1).append(Math.round(st.getAverage() * 10) / 10.0);
                stats.get(m * 3 + 2).append(st.getMax());
            }
            negative.append(s.hasNegativeFlags()
                    ? (int) Arrays.stream(s.negative).filter(k -> k != NegativeInfo.NONE).count() : 0);
        }
        Table t = Table.create("valid lengths per split", split, n);
        stats.forEach(t::addColumns);
        if (data.splits().get(0).hasNegativeFlags()) {
            t.addColumns(negative);
        }
        return t;
    }

    /**
     * @param kind the negative information wanted ({@link NegativeInfo#NONE} for a clean sample)
     * @param modality the modality it hits ({@link NegativeInfo#MOD_AUDIO}, ...), ignored for NONE
     * @return the first sample of the split with it, or -1 when there is none (or the split records none)
     */
    public static int example(Split split, NegativeInfo kind, byte modality) {
        if (split.negative == null) {
            return -1;
        }
        for (int i = 0; i < split.size(); i++) {
            if (split.negative[i] == kind && (kind == NegativeInfo.NONE || split.negativeModality[i] == modality)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return per split, how many samples carry each kind of negative information in each
     *     modality (synthetic data; empty when the dataset records no flags)
     */
    public static Table negativeInfo(MultimodalDataset data) {
        StringColumn split = StringColumn.create("split");
        StringColumn kind = StringColumn.create("negative_info");
        StringColumn modality = StringColumn.create("modality");
        IntColumn count = IntColumn.create("samples");
        DoubleColumn share = DoubleColumn.create("share");
        for (Split s : data.splits()) {
            if (!s.hasNegativeFlags()) {
                continue;
            }
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (int i = 0; i < s.size(); i++) {
                counts.merge(s.negative[i].key() + "\u0000" + NegativeInfo.modalityName(s.negativeModality[i]), 1,
                        Integer::sum);
            }
            for (java.util.Map.Entry<String, Integer> e : counts.entrySet()) {
                String[] k = e.getKey().split("\u0000");
                split.append(s.name);
                kind.append(k[0]);
                modality.append(k[1]);
                count.append(e.getValue());
                share.append(Math.round(1000.0 * e.getValue() / s.size()) / 1000.0);
            }
        }
        return Table.create("negative information per split", split, kind, modality, count, share);
    }

    /** @return per split, the 7-class histogram of the labels (rounded, clipped to [-3, 3]) */
    public static Table labels(MultimodalDataset data) {
        StringColumn split = StringColumn.create("split");
        List<IntColumn> histogram = new ArrayList<>();
        for (int c = -3; c <= 3; c++) {
            histogram.add(IntColumn.create(String.valueOf(c)));
        }
        for (Split s : data.splits()) {
            split.append(s.name);
            int[] counts = new int[7];
            for (float y : s.labels) {
                counts[(int) Math.rint(Math.max(-3, Math.min(3, y))) + 3]++;
            }
            for (int c = 0; c < 7; c++) {
                histogram.get(c).append(counts[c]);
            }
        }
        Table t = Table.create("labels per 7-class bin", split);
        histogram.forEach(t::addColumns);
        return t;
    }

    /** @return every value of every split: key, kind, shape, dtype and the count of non-finite numbers */
    @SuppressWarnings("unchecked")
    public static Table arrays(Path file) {
        StringColumn split = StringColumn.create("split");
        StringColumn key = StringColumn.create("key");
        StringColumn kind = StringColumn.create("kind");
        StringColumn shape = StringColumn.create("shape");
        StringColumn dtype = StringColumn.create("dtype");
        LongColumn nonFinite = LongColumn.create("non_finite");
        try (PickleReader r = PickleReader.open(file)) {
            Object root = r.load();
            if (!(root instanceof Map)) {
                throw new DataFormatException(file + ": expected a dict with keys train, valid, test, found "
                        + PickleReader.describe(root));
            }
            for (Map.Entry<Object, Object> s : ((Map<Object, Object>) root).entrySet()) {
                if (!(s.getValue() instanceof Map)) {
                    continue;
                }
                for (Map.Entry<Object, Object> e : ((Map<Object, Object>) s.getValue()).entrySet()) {
                    split.append(String.valueOf(s.getKey()));
                    key.append(String.valueOf(e.getKey()));
                    Object v = e.getValue();
                    if (v instanceof NpyArray) {
                        NpyArray a = (NpyArray) v;
                        kind.append(a.isStrings() ? "string array" : "array");
                        shape.append(Arrays.toString(a.shape()));
                        dtype.append(a.dtype().describe());
                        nonFinite.append(a.dtype().isNumeric() && a.dtype().kind() == 'f' ? PickleData.countNonFinite(a) : 0);
                    } else {
                        kind.append(v instanceof List ? "list" : PickleReader.describe(v).split(" ")[0]);
                        shape.append(v instanceof List ? "[" + ((List<?>) v).size() + "]" : "");
                        dtype.append(v instanceof List && !((List<?>) v).isEmpty()
                                ? ((List<?>) v).get(0) instanceof ByteSource ? "bytes" : "str" : "");
                        nonFinite.append(0);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Table.create("arrays", split, key, kind, shape, dtype, nonFinite);
    }

    /** @return the registered format whose layout the pickle file has (the same registry loading uses) */
    private static DatasetSource sourceOf(Path file) {
        try (PickleData data = PickleData.open(file, "dataset")) {
            for (org.mecam.config.DatasetFormat f : org.mecam.config.DatasetFormat.all()) {
                if (f instanceof DatasetSource s && s.recognizes(key -> data.split("train").has(key))) {
                    return s;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new DataFormatException(file + ": not in the layout of any registered format ("
                + org.mecam.config.DatasetFormat.keys() + ")");
    }

    static String shapeOf(Table arrays, String split, String key) {
        for (int r = 0; r < arrays.rowCount(); r++) {
            if (arrays.stringColumn("split").get(r).equals(split) && arrays.stringColumn("key").get(r).equals(key)) {
                return arrays.stringColumn("shape").get(r) + " " + arrays.stringColumn("dtype").get(r);
            }
        }
        return "";
    }
}
