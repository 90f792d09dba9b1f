package org.mecam.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mecam.TestSupport;
import org.mecam.config.ConfigException;
import org.mecam.config.DatasetFormat;
import org.mecam.config.RunConfig;
import org.mecam.data.DataFormatException;
import org.mecam.data.DatasetSource;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import tech.tablesaw.api.Table;

/**
 * data inspect's tables: arrays with shapes, dtypes and non-finite counts, lengths, label histograms;
 * the registry of dataset formats that loading and inspection share.
 */
class DataInspectorTest {

    private static final String SERVICES = "META-INF/services/" + DatasetFormat.class.getName();

    /** One registry for loading and inspection: the services file's classes, each a source with its own key and description. */
    @Test
    void datasetFormatsComeFromOneRegistry() throws IOException {
        List<String> registered = new ArrayList<>();
        for (URL url : Collections.list(DatasetFormat.class.getClassLoader().getResources(SERVICES))) {
            try (InputStream in = url.openStream()) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> l.replaceAll("#.*", "").strip())
                        .filter(l -> !l.isEmpty()).forEach(registered::add);
            }
        }
        List<DatasetFormat> all = DatasetFormat.all();
        assertFalse(all.isEmpty(), SERVICES);
        assertEquals(registered, all.stream().map(f -> f.getClass().getName()).toList(), SERVICES);
        Set<String> keys = new HashSet<>();
        Set<String> descriptions = new HashSet<>();
        for (DatasetFormat f : all) {
            assertTrue(f instanceof DatasetSource, f.key() + ": every format loads");
            assertTrue(f.key().matches("[a-z0-9][a-z0-9-]*"), "a key users can type: '" + f.key() + "'");
            assertFalse(f.description().isBlank(), f.key());
            assertTrue(keys.add(f.key()), "key " + f.key() + " registered twice");
            assertTrue(descriptions.add(f.description()), f.key() + ": the description of another format");
            assertSame(f, DatasetFormat.of(f.key()));
        }
        assertEquals(String.join(", ", all.stream().map(DatasetFormat::key).toList()), DatasetFormat.keys());

        RunConfig c = TestSupport.tiny();
        c.dataset = "hdf5";
        ConfigException e = assertThrows(ConfigException.class, c::validate);
        assertTrue(e.getMessage().contains("dataset: unknown value 'hdf5' (expected one of " + DatasetFormat.keys() + ")"),
                e.getMessage());
        c.dataset = "mmsa";
        assertTrue(DatasetSource.of("mmsa").check(c).get(0).contains("--path"), DatasetSource.of("mmsa").check(c).toString());
        c.dataset = "synthetic";
        assertEquals(TestSupport.tiny().preset.key(), DatasetSource.of("synthetic").label(c));
    }

    /**
     * data inspect handles every registered format: a file format recognises its own fixtures
     * ({@code datasets/<key>_*.pkl}, with {@code <name>_labels.csv} when there is one) and no
     * other format does; a format without files loads from the configuration alone and its data
     * inspects.
     */
    @Test
    void everyRegisteredFormatIsInspected() throws IOException {
        Path dir = DatasetReadersTest.resource("expected.json").getParent();
        List<Path> pickles;
        try (Stream<Path> files = Files.list(dir)) {
            pickles = files.filter(p -> p.getFileName().toString().endsWith(".pkl")).sorted().toList();
        }
        Map<String, List<Path>> recognised = new LinkedHashMap<>();
        for (Path p : pickles) {
            List<String> by = new ArrayList<>();
            try (PickleData data = PickleData.open(p, "dataset")) {
                for (DatasetFormat f : DatasetFormat.all()) {
                    if (((DatasetSource) f).recognizes(key -> data.split("train").has(key))) {
                        by.add(f.key());
                    }
                }
            }
            String name = p.getFileName().toString();
            assertEquals(List.of(name.substring(0, name.indexOf('_'))), by, name + " is recognised by its own format only");
            recognised.computeIfAbsent(by.get(0), k -> new ArrayList<>()).add(p);
        }
        for (DatasetFormat f : DatasetFormat.all()) {
            DatasetSource source = (DatasetSource) f;
            List<Path> own = recognised.getOrDefault(f.key(), List.of());
            if (!own.isEmpty()) {
                for (Path p : own) {
                    Path labels = dir.resolve(p.getFileName().toString().replaceAll("_np\\d.*$", "") + "_labels.csv");
                    DataInspector.Report r = DataInspector.inspect(p, Files.isRegularFile(labels) ? labels : null);
                    assertFalse(r.layout().isEmpty(), p.toString());
                    assertTrue(r.arrays().rowCount() > 0 && r.lengths().rowCount() > 0, p.toString());
                    assertTrue(r.text().contains(r.layout()), p.toString());
                }
                continue;
            }
            RunConfig c = TestSupport.tiny("dataset=" + f.key());
            assertEquals(List.of(), source.check(c), f.key() + " has no fixture under " + dir
                    + ", so it must load from the configuration alone");
            DataInspector.Report r = DataInspector.inspect(source.load(c));
            assertTrue(r.lengths().rowCount() > 0 && !r.inputs().isEmpty(), f.key());
            assertThrows(UnsupportedOperationException.class, () -> source.inspect(dir, null, null), f.key());
        }
    }

    @Test
    void mmsaFileReport() {
        Path file = DatasetReadersTest.resource("mmsa_unaligned_np1_p4.pkl");
        DataInspector.Report r = DataInspector.inspect(file, null);
        assertEquals("MMSA", r.layout());
        Table arrays = r.arrays();
        assertEquals(30, arrays.rowCount(), "10 keys in each of 3 splits");
        int audio = rowOf(arrays, "train", "audio");
        assertEquals("[6, 12, 5]", arrays.stringColumn("shape").get(audio));
        assertEquals(1L, arrays.longColumn("non_finite").get(audio), "the fixture's one -inf");
        assertEquals(">f4", arrays.stringColumn("dtype").get(rowOf(arrays, "train", "vision")));
        assertEquals("string array", arrays.stringColumn("kind").get(rowOf(arrays, "train", "raw_text")));
        assertEquals(6, r.lengths().intColumn("n").get(0));
        int total = 0;
        for (int c = -3; c <= 3; c++) {
            total += r.labels().intColumn(String.valueOf(c)).get(0);
        }
        assertEquals(6, total, "every train label in one of the 7 bins");
        assertTrue(r.inputs().get(0).startsWith("feature mode"));
        assertTrue(r.inputs().get(1).startsWith("BERT"));
        assertTrue(r.text().contains("audio is front-padded"));
    }

    @Test
    void multFileNeedsItsCsvAndSyntheticDataInspects() {
        Path file = DatasetReadersTest.resource("mult_mosi_np2_p4.pkl");
        DataFormatException e = org.junit.jupiter.api.Assertions.assertThrows(DataFormatException.class,
                () -> DataInspector.inspect(file, null));
        assertTrue(e.getMessage().contains("--labels"));
        DataInspector.Report r = DataInspector.inspect(file, DatasetReadersTest.resource("mult_mosi_labels.csv"));
        assertEquals("MulT", r.layout());
        DataInspector.Report synthetic = DataInspector.inspect(
                new SyntheticGenerator(SyntheticSpec.of(TestSupport.tiny())).generate());
        assertEquals(512, synthetic.lengths().intColumn("n").get(0));
        assertTrue(synthetic.lengths().columnNames().contains("negative_info"));
        assertTrue(synthetic.lengths().intColumn("negative_info").get(0) > 100);
    }

    private static int rowOf(Table t, String split, String key) {
        for (int i = 0; i < t.rowCount(); i++) {
            if (t.stringColumn("split").get(i).equals(split) && t.stringColumn("key").get(i).equals(key)) {
                return i;
            }
        }
        throw new AssertionError("no row " + split + "/" + key);
    }
}
