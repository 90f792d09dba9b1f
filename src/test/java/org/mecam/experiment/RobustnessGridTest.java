package org.mecam.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.data.Csv;

/** The robustness smoke grid: sweeps recorded per run, p = 0 equal to the clean test set, tables and curves. */
class RobustnessGridTest {

    @TempDir
    Path root;

    @Test
    void smokeGridSweepsAndReports() throws Exception {
        TestSupport.start();
        GridRunner.Summary s = GridRunner.run(Grid.load("smoke-robustness"), "smoke-robustness", root, 1, null);
        assertEquals(6, s.ran());
        ResultStore store = ResultStore.scan(root);
        for (ResultStore.Run r : store.runs()) {
            Csv rob = Csv.read(r.dir().resolve("robustness.csv"));
            assertEquals(3 * 3, rob.size(), "3 perturbations x 3 levels");
            JsonObject m = JsonParser.parseString(Files.readString(r.dir().resolve("metrics.json"))).getAsJsonObject();
            for (int i = 0; i < rob.size(); i++) {
                if (Double.parseDouble(rob.get(i, rob.column("level"))) == 0) {
                    assertEquals(m.get("mae").getAsDouble(), Double.parseDouble(rob.get(i, rob.column("mae"))), 1e-6,
                            "p = 0 is the clean test set: " + r.dir());
                }
            }
        }
        ExperimentReport.write(root);
        Csv table = Csv.read(root.resolve("tables").resolve("smoke-robustness-synthetic-tiny-robustness.csv"));
        assertEquals(3 * 3, table.size(), "3 methods x 3 perturbations");
        for (int i = 0; i < table.size(); i++) {
            if (table.get(i, 0).equals("late fusion")) {
                assertEquals("0.000 ± 0.000", table.get(i, table.column("er mae vs late fusion")),
                        "the reference against itself");
            }
            assertTrue(table.get(i, table.column("auc mae")).contains("±"));
        }
        for (String metric : List.of("mae", "acc2_has0", "f1_has0")) {
            assertTrue(Files.size(root.resolve("figures").resolve("smoke-robustness-synthetic-tiny-robustness-" + metric
                    + ".png")) > 10_000);
        }
        assertTrue(Files.size(root.resolve("tables").resolve("smoke-robustness-synthetic-tiny-robustness-curves.csv")) > 0);
    }
}
