package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.experiment.run.ResultStore;

/**
 * Headroom and share of it, on hand-made runs whose errors are known: four test samples (clean;
 * undetectable in audio; detectable in vision; detectable in text), three seeds, a lower bound,
 * its oracle twin and a filter.
 */
class BoundsReportTest {

    @TempDir
    Path tmp;

    private void run(String variant, long seed, boolean mask, double alpha, int bestEpoch, double[] errors)
            throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b/d").resolve(variant).resolve("seed-" + seed));
        Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, "{\"preset\": \"complementary\","
                + " \"maskNegative\": %s, \"alpha\": %s, \"epochs\": 30, \"seed\": %d, \"dataSeed\": %d, \"provenance\":"
                + " {\"experiment\": {\"grid\": \"b\", \"dataset\": \"d\", \"variant\": \"%s\", \"seed\": %d}}}",
                mask, alpha, seed, seed, variant, seed));
        double mae = (errors[0] + errors[1] + errors[2] + errors[3]) / 4;
        StringBuilder m = new StringBuilder("{");
        for (String k : org.mecam.eval.SentimentMetrics.KEYS) {
            m.append('"').append(k).append("\": ").append(k.equals("mae") ? mae : 0.5).append(", ");
        }
        Files.writeString(dir.resolve("metrics.json"), m.append("\"best_epoch\": ").append(bestEpoch).append('}'));
        String[] kinds = {"none,none", "conflict,audio", "noise,vision", "garble,text"};
        StringBuilder p = new StringBuilder("index,id,prediction,label,negative,negative_modality\n");
        for (int i = 0; i < 4; i++) {
            p.append(String.format(Locale.ROOT, "%d,s%d,%s,0.0,%s%n", i, i, (float) errors[i], kinds[i]));
        }
        Files.writeString(dir.resolve("predictions.csv"), p);
    }

    @Test
    void headroomAndShareFromThePredictions() throws Exception {
        double[] jitter = {0, 0.01, 0.02};
        for (int s = 0; s < 3; s++) {
            long seed = 10 + s;
            double j = jitter[s];
            run("none", seed, false, 0, 29, new double[] {0.5 + j, 1.0 + j, 0.8 + j, 0.6 + j});
            run("oracle", seed, true, 0, 10, new double[] {0.5 + j, 0.6 + j, 0.8 + j, 0.7 + j});
            run("filter", seed, false, 0.2, 10, new double[] {0.45 + 2 * j, 0.9 + j, 0.8 + j, 0.6 + j});
        }
        ResultStore store = ResultStore.scan(tmp);
        GridSpec spec = GridSpec.read(tmp, "b", store);
        BoundsReport b = BoundsReport.of(store, spec, "d");
        Map<String, BoundsReport.Row> rows = new java.util.LinkedHashMap<>();
        for (BoundsReport.Row r : b.rows()) {
            rows.put(r.subset() + "/" + r.variant(), r);
        }
        // headroom: (0.4 on the audio conflict - 0.1 on the garbled text) / 4 samples
        assertEquals(0.075, rows.get("all/oracle").gainMean(), 1e-6);
        assertEquals(0.4, rows.get("undetectable/oracle").gainMean(), 1e-6);
        assertEquals(0.4, rows.get("audio hit/oracle").gainMean(), 1e-6);
        assertEquals(-0.1, rows.get("text hit/oracle").gainMean(), 1e-6, "masking can cost more than it removes");
        assertEquals(-0.05, rows.get("detectable/oracle").gainMean(), 1e-6);
        assertEquals(0.0, rows.get("clean/oracle").gainMean(), 1e-6);
        // the filter: gains 0.05 - j on the clean sample and 0.1 on the conflict: (0.15 - j) / 4, mean j = 0.01
        assertEquals(0.035, rows.get("all/filter").gainMean(), 1e-6);
        assertEquals(0.035 / 0.075, rows.get("all/filter").share(), 1e-6);
        assertTrue(rows.get("all/filter").shareLow() <= rows.get("all/filter").share()
                && rows.get("all/filter").share() <= rows.get("all/filter").shareHigh());
        assertEquals(0.25, rows.get("undetectable/filter").share(), 1e-6);
        assertTrue(rows.get("all/filter").pHolm() >= rows.get("all/filter").p(), "Holm over the variants of the subset");
        assertEquals(3, rows.get("all/filter").gain().length);

        TextTable power = b.power();
        assertEquals(2, power.rows().size());
        assertEquals("0.020", power.rows().get(0).get(4), "max(0.02, headroom / 4)");
        assertTrue(power.notes().stream().anyMatch(n -> n.contains("3 of 9 runs (33 %)")), power.notes().toString());
        assertTrue(b.table().markdown().contains("| undetectable | 1 | filter |"), b.table().markdown());

        Files.writeString(tmp.resolve("b/d/oracle/seed-10/config.json"), Files.readString(
                tmp.resolve("b/d/oracle/seed-10/config.json")).replace("\"alpha\": 0.0", "\"alpha\": 0.1"));
        Files.writeString(tmp.resolve("b/d/oracle/seed-11/config.json"), Files.readString(
                tmp.resolve("b/d/oracle/seed-11/config.json")).replace("\"alpha\": 0.0", "\"alpha\": 0.1"));
        Files.writeString(tmp.resolve("b/d/oracle/seed-12/config.json"), Files.readString(
                tmp.resolve("b/d/oracle/seed-12/config.json")).replace("\"alpha\": 0.0", "\"alpha\": 0.1"));
        ResultStore changed = ResultStore.scan(tmp);
        assertNull(BoundsReport.of(changed, GridSpec.read(tmp, "b", changed), "d"),
                "an oracle without a twin that differs only in the mask has no lower bound");
    }
}
