package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.run.ResultStore;

/** What adding a modality gains, on hand-made runs whose MAE is known. */
class ComplementarityTableTest {

    @TempDir
    Path tmp;

    private void run(String variant, String modalities, long seed, double mae, String extra) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m/clean").resolve(variant).resolve("seed-" + seed));
        Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, "{\"modalities\": \"%s\", \"alpha\": 0.2%s,"
                + " \"seed\": %d, \"provenance\": {\"experiment\": {\"grid\": \"m\", \"dataset\": \"clean\", \"variant\": \"%s\","
                + " \"seed\": %d}}}", modalities, extra, seed, variant, seed));
        StringBuilder m = new StringBuilder("{");
        for (String k : SentimentMetrics.KEYS) {
            m.append('"').append(k).append("\": ").append(k.equals("mae") ? mae : 0.5).append(", ");
        }
        Files.writeString(dir.resolve("metrics.json"), m.append("\"best_epoch\": 3}"));
    }

    @Test
    void eachSetAgainstEachSubsetWithTheMargin() throws Exception {
        double[] jitter = {0, 0.01, -0.01};
        for (int s = 0; s < 3; s++) {
            run("all", "tav", s, 0.60 + jitter[s], "");
            run("ta", "at", s, 0.70 + 2 * jitter[s], ""); // order of the letters does not matter
            run("t", "t", s, 0.72 + jitter[s], "");
            run("a", "a", s, 0.90 + jitter[s], "");
        }
        ResultStore store = ResultStore.scan(tmp);
        TextTable t = ComplementarityTable.of(store, GridSpec.read(tmp, "m", store), "clean");
        java.util.Map<String, List<String>> rows = new java.util.HashMap<>();
        t.rows().forEach(r -> rows.put(r.get(0) + " vs " + r.get(1), r));
        assertEquals(java.util.Set.of("all vs ta", "ta vs t", "ta vs a"), rows.keySet(), "sets one modality apart");
        assertEquals("+0.100", rows.get("all vs ta").get(3).substring(0, 6));
        assertEquals("yes", rows.get("all vs ta").get(5), "0.1 [0.075, 0.125] clears 0.05");
        assertEquals("+0.020", rows.get("ta vs t").get(3).substring(0, 6));
        assertEquals("no", rows.get("ta vs t").get(5), "ta over t by 0.02: below the margin");
        assertEquals("+0.200", rows.get("ta vs a").get(3).substring(0, 6));

        run("t", "t", 0, 0.72, ", \"fusion\": \"late\"");
        ResultStore mixed = ResultStore.scan(tmp);
        assertNull(ComplementarityTable.of(mixed, GridSpec.read(tmp, "m", mixed), "clean"),
                "variants that differ in more than their modalities are not a modality grid");
    }
}
