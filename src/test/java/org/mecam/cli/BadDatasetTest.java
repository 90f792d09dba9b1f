package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.data.io.pickle.PickleWriter;

/**
 * Bad dataset files: one clear message naming the file, split, key and shape, exit code 2, and
 * no run directory.
 */
class BadDatasetTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    static final int LT = 6;
    static final int LA = 5;
    static final int LV = 7;

    /** A valid small MMSA-layout dataset, as nested maps, that each test breaks in one way. */
    static Map<Object, Object> valid() {
        Map<Object, Object> root = new LinkedHashMap<>();
        int[] sizes = {4, 2, 2};
        String[] names = {"train", "valid", "test"};
        for (int k = 0; k < 3; k++) {
            root.put(names[k], split(sizes[k]));
        }
        return root;
    }

    static Map<Object, Object> split(int n) {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("text", PickleWriter.floats(new long[] {n, LT, 8}, ramp(n * LT * 8)));
        long[] bert = new long[n * 3 * LT];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 4; t++) {
                bert[(i * 3) * LT + t] = 100 + t;
                bert[(i * 3 + 1) * LT + t] = 1;
            }
        }
        m.put("text_bert", PickleWriter.longs(new long[] {n, 3, LT}, bert));
        m.put("audio", PickleWriter.floats(new long[] {n, LA, 3}, ramp(n * LA * 3)));
        m.put("vision", PickleWriter.floats(new long[] {n, LV, 2}, ramp(n * LV * 2)));
        m.put("audio_lengths", PickleWriter.longs(new long[] {n}, fill(n, LA)));
        m.put("vision_lengths", PickleWriter.longs(new long[] {n}, fill(n, LV)));
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2 == 0 ? 1.4f : -2.2f;
        }
        m.put("regression_labels", PickleWriter.floats(new long[] {n}, labels));
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("v" + i + "$_$" + i);
        }
        m.put("id", ids);
        return m;
    }

    static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 1 + (i % 17) / 10f;
        }
        return a;
    }

    static long[] fill(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> train(Map<Object, Object> root) {
        return (Map<Object, Object>) root.get("train");
    }

    Path write(String name, Object root) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); PickleWriter w = new PickleWriter(out)) {
            w.dump(root);
        }
        return file;
    }

    Path broken(String name, Consumer<Map<Object, Object>> change) throws IOException {
        Map<Object, Object> root = valid();
        change.accept(root);
        return write(name, root);
    }

    /** Runs train on the file and checks exit code 2, the message, and that nothing was written. */
    void rejected(Path file, String... expected) {
        rejectedArgs(new String[] {"train", "--config", "tiny", "--epochs", "1", "--dataset", "mmsa", "--path",
            file.toString()}, expected);
    }

    void rejectedArgs(String[] args, String... expected) {
        Path results = tmp.resolve("results");
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--results";
        all[args.length + 1] = results.toString();
        CliTest.Result r = CliTest.run(all);
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "message should mention '" + e + "': " + r.err());
        }
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), "one message: " + r.err());
        assertFalse(Files.exists(results), "no run directory");
    }

    @Test
    void aFileWithoutTextIsRejectedByTrainAndInspect() throws IOException {
        Path file = broken("no-text.pkl", root -> root.values().forEach(sp -> {
            ((Map<?, ?>) sp).remove("text");
            ((Map<?, ?>) sp).remove("text_bert");
        }));
        rejected(file, "no-text.pkl", "split 'train' has no key 'text'");
        CliTest.Result r = CliTest.run("data", "inspect", file.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no-text.pkl") && r.err().contains("no text"), r.err());
        assertFalse(r.err().contains("NullPointerException"), r.err());
    }

    @Test
    void lengthsMayBeListsOfIntsButNotOfFloatsOrNegative() throws IOException {
        Path listed = broken("listed.pkl", root -> root.values().forEach(sp -> {
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) sp;
            int n = ((List<?>) m.get("id")).size();
            m.put("audio_lengths", new ArrayList<>(java.util.Collections.nCopies(n, (long) LA - 1)));
        }));
        CliTest.Result ok = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--dataset", "mmsa", "--path",
                listed.toString(), "--results", tmp.resolve("listed").toString(), "--quiet");
        assertEquals(0, ok.code(), ok.err());
        rejected(broken("float-lengths.pkl", root -> train(root).put("audio_lengths", List.of(3L, 2.5, 1L, 4L))),
                "float-lengths.pkl", "split 'train'", "audio_lengths", "item 1", "expected an int length");
        rejected(broken("negative.pkl", root -> train(root).put("vision_lengths",
                PickleWriter.longs(new long[] {4}, new long[] {3, -1, 2, 2}))),
                "negative.pkl", "split 'train'", "vision_lengths", "sample 1 has length -1, a negative length");
    }

    @Test
    void theValidFileTrains() throws IOException {
        Path file = write("ok.pkl", valid());
        CliTest.Result r = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--dataset", "mmsa", "--path",
                file.toString(), "--results", tmp.resolve("ok").toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void notAPickle() throws IOException {
        Path file = tmp.resolve("text.pkl");
        Files.writeString(file, "video,clip\n1,2\n");
        rejected(file, "text.pkl", "not a pickle");
    }

    @Test
    void truncated() throws IOException {
        Path file = write("full.pkl", valid());
        byte[] all = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.pkl");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 200));
        rejected(cut, "cut.pkl", "truncated");
    }

    @Test
    void wrongShapeOfObject() throws IOException {
        rejected(write("list.pkl", List.of(1L, 2L)), "list.pkl", "expected a dict with keys train, valid, test", "list of 2");
    }

    @Test
    void missingSplit() throws IOException {
        rejected(broken("nosplit.pkl", r -> r.remove("valid")), "nosplit.pkl", "split 'valid' missing", "[train, test]");
    }

    @Test
    void missingKey() throws IOException {
        rejected(broken("nokey.pkl", r -> train(r).remove("audio")), "nokey.pkl", "split 'train'", "no key 'audio'",
                "[N, La, Da]");
    }

    @Test
    void sampleCountsDisagree() throws IOException {
        rejected(broken("n.pkl", r -> train(r).put("vision", PickleWriter.floats(new long[] {5, LV, 2}, ramp(5 * LV * 2)))),
                "n.pkl", "split 'train', key 'vision'", "has 5 samples", "'regression_labels' has 4");
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> split(Map<Object, Object> root, String name) {
        return (Map<Object, Object>) root.get(name);
    }

    @Test
    void splitsDisagreeOnAFeatureWidth() throws IOException {
        Path file = broken("widths.pkl", r -> split(r, "test").put("audio", PickleWriter.floats(new long[] {2, LA, 7},
                ramp(2 * LA * 7))));
        rejected(file, "widths.pkl", "the splits disagree", "audio width: train 3, valid 3, test 7");
        CliTest.Result inspected = CliTest.run("data", "inspect", file.toString());
        assertEquals(2, inspected.code(), inspected.err());
        assertTrue(inspected.err().startsWith("error: ") && inspected.err().contains("audio width: train 3, valid 3, test 7"),
                inspected.err());
        rejected(broken("vwidth.pkl", r -> split(r, "valid").put("vision", PickleWriter.floats(new long[] {2, LV, 1},
                ramp(2 * LV)))), "vision width: train 2, valid 1, test 2");
    }

    @Test
    void tokenIdsOutsideABertVocabulary() throws IOException {
        for (long bad : new long[] {1_000_000_000L, -5}) {
            Path file = broken("ids" + bad + ".pkl", r -> {
                long[] bert = new long[4 * 3 * LT];
                for (int i = 0; i < 4; i++) {
                    bert[(i * 3) * LT] = 101;
                    bert[(i * 3) * LT + 1] = i == 2 ? bad : 2000;
                    bert[(i * 3 + 1) * LT] = 1;
                    bert[(i * 3 + 1) * LT + 1] = 1;
                }
                train(r).put("text_bert", PickleWriter.longs(new long[] {4, 3, LT}, bert));
            });
            rejectedArgs(new String[] {"train", "--config", "tiny", "--epochs", "1", "--dataset", "mmsa", "--text-mode",
                "bert", "--path", file.toString()}, file.getFileName().toString(), "split 'train', key 'text_bert'",
                "token id " + bad + " (sample 2, position 1)", "outside [0, 250002)");
        }
    }

    @Test
    void wrongNumberOfDimensions() throws IOException {
        rejected(broken("ndim.pkl", r -> train(r).put("audio", PickleWriter.floats(new long[] {4, LA * 3}, ramp(4 * LA * 3)))),
                "ndim.pkl", "split 'train', key 'audio'", "[4, 15]", "expected [N, La, Da]");
    }

    @Test
    void unsupportedDtype() throws IOException {
        rejected(broken("dtype.pkl", r -> train(r).put("audio",
                PickleWriter.array("<c8", new long[] {4, LA, 3}, 8L * 4 * LA * 3, o -> o.write(new byte[8 * 4 * LA * 3])))),
                "dtype.pkl", "split 'train', key 'audio'", "unsupported dtype c8", "[4, 5, 3]");
    }

    @Test
    void nonFiniteLabel() throws IOException {
        rejected(broken("nan.pkl", r -> train(r).put("regression_labels",
                PickleWriter.floats(new long[] {4}, new float[] {1, Float.NaN, 0, 2}))),
                "nan.pkl", "split 'train', key 'regression_labels'", "sample 1 is NaN");
    }

    @Test
    void labelsOutsideTheRangeOnlyWarn() throws IOException {
        Path file = broken("range.pkl", r -> train(r).put("regression_labels",
                PickleWriter.floats(new long[] {4}, new float[] {1, 3.5f, 0, -2})));
        CliTest.Result r = CliTest.run("data", "inspect", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("train: 1 labels outside [-3, 3]"), r.out());
    }

    @Test
    void lengthLargerThanThePaddedSize() throws IOException {
        rejected(broken("len.pkl", r -> train(r).put("audio_lengths", PickleWriter.longs(new long[] {4}, new long[] {5, 9, 1, 2}))),
                "len.pkl", "split 'train', key 'audio_lengths'", "sample 1 has length 9", "padded size 5");
    }

    @Test
    void emptySplit() throws IOException {
        rejected(broken("empty.pkl", r -> r.put("test", split(0))), "empty.pkl", "split 'test'", "empty");
    }

    static Path resource(String name) {
        try {
            return Paths.get(BadDatasetTest.class.getResource("/datasets/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void multFilesTrainInFeatureAndBertMode() {
        String pkl = resource("mult_mosi_np1_p5.pkl").toString();
        String csv = resource("mult_mosi_labels.csv").toString();
        CliTest.Result features = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--dataset", "mult", "--path",
                pkl, "--labels", csv, "--results", tmp.resolve("f").toString(), "--quiet");
        assertEquals(0, features.code(), features.err());
        CliTest.Result bert = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--dataset", "mult", "--path", pkl,
                "--labels", csv, "--text-mode", "bert", "--bert-size", "tiny", "--vocab",
                resource("vocab.txt").toString(), "--results", tmp.resolve("b").toString(), "--quiet");
        assertEquals(0, bert.code(), bert.err());
        rejectedArgs(new String[] {"train", "--config", "tiny", "--dataset", "mult", "--path", pkl, "--labels", csv,
            "--text-mode", "bert"}, "needs --vocab");
    }

    @Test
    void exportWritesAnMmsaFileThatTrains() {
        Path out = tmp.resolve("synthetic.pkl");
        CliTest.Result r = CliTest.run("data", "export", "--format", "mmsa", "--out", out.toString(), "--preset", "tiny",
                "--train-size", "64", "--valid-size", "16", "--test-size", "16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().trim().endsWith("synthetic.pkl"));
        CliTest.Result inspect = CliTest.run("data", "inspect", out.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("[64, 16, 32]"), inspect.out());
        CliTest.Result train = CliTest.run("train", "--config", "tiny", "--epochs", "1", "--dataset", "mmsa", "--path",
                out.toString(), "--results", tmp.resolve("r").toString(), "--quiet");
        assertEquals(0, train.code(), train.err());
        CliTest.Result bad = CliTest.run("data", "export", "--format", "hdf5", "--out", tmp.resolve("x.h5").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown layout 'hdf5'"), bad.err());
        assertFalse(Files.exists(tmp.resolve("x.h5")));
    }

    @Test
    void csvMissingAColumn() throws IOException {
        Path csv = tmp.resolve("labels.csv");
        List<String> lines = Files.readAllLines(resource("mult_mosi_labels.csv"));
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.replaceFirst("^([^,]*),([^,]*),", "$1,"));
        }
        Files.write(csv, out);
        rejectedArgs(new String[] {"train", "--config", "tiny", "--epochs", "1", "--dataset", "mult", "--path",
            resource("mult_mosi_np2_p4.pkl").toString(), "--labels", csv.toString()}, "labels.csv", "no column 'clip_id'");
    }

    @Test
    void csvMissingAClip() throws IOException {
        Path csv = tmp.resolve("labels.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(resource("mult_mosi_labels.csv")));
        String dropped = lines.remove(5);
        Files.write(csv, lines);
        String[] cells = dropped.split(",");
        rejectedArgs(new String[] {"train", "--config", "tiny", "--epochs", "1", "--dataset", "mult", "--path",
            resource("mult_mosi_np2_p4.pkl").toString(), "--labels", csv.toString()},
                "labels.csv", "no row for clip id '" + cells[0] + "_" + cells[1] + "'", "mult_mosi_np2_p4.pkl");
    }
}
