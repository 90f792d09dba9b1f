package org.mecam.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mecam.TestSupport;
import tech.tablesaw.api.Table;
import org.mecam.data.DataFormatException;
import org.mecam.data.DatasetSource;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;

/** data inspect's tables: arrays with shapes, dtypes and non-finite counts, lengths, label histograms. */
class DataInspectorTest {

    /** One registry for loading and inspection: every registered format is a source, keys unique, unknown keys named. */
    @Test
    void datasetFormatsComeFromOneRegistry() {
        java.util.List<org.mecam.config.DatasetFormat> all = org.mecam.config.DatasetFormat.all();
        assertEquals(java.util.List.of("synthetic", "mmsa", "mult"), all.stream().map(org.mecam.config.DatasetFormat::key)
                .toList());
        assertTrue(all.stream().allMatch(f -> f instanceof DatasetSource), "every format loads");
        org.mecam.config.RunConfig c = TestSupport.tiny();
        c.dataset = "mmsa";
        assertTrue(DatasetSource.of("mmsa").check(c).get(0).contains("--path"), DatasetSource.of("mmsa").check(c).toString());
        c.dataset = "hdf5";
        org.mecam.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.mecam.config.ConfigException.class, c::validate);
        assertTrue(e.getMessage().contains("dataset: unknown value 'hdf5' (expected one of synthetic, mmsa, mult)"),
                e.getMessage());
        c.dataset = "synthetic";
        assertEquals(TestSupport.tiny().preset.key(), DatasetSource.of("synthetic").label(c));
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
