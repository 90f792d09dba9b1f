package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.grid.GridRunner;
import org.mecam.experiment.run.ResultStore;

/**
 * The negative-fraction report at smoke scale: the swept setting is found from the runs, the
 * tables carry confidence intervals and paired differences, and a report over a copy of the run
 * files alone (no checkpoints, no figures) reproduces every table byte for byte.
 */
class SweepReportTest {

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    @Test
    void sweepTablesFiguresAndAByteIdenticalRegeneration(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("results");
        GridRunner.Summary s = GridRunner.run(Grid.load("smoke-negative-fraction"), "smoke-negative-fraction", root, 1, null);
        assertTrue(s.succeeded());
        assertEquals(8, s.ran());
        ExperimentReport.write(root);
        Path tables = root.resolve("tables");
        ResultStore store = ResultStore.scan(root);
        SweepReport.Axis axis = SweepReport.axis(store, "smoke-negative-fraction");
        assertEquals("negativeFraction", axis.key());
        assertEquals(List.of(0.2, 0.5), List.copyOf(axis.datasets().keySet()));
        List<String> md = Files.readAllLines(tables.resolve("smoke-negative-fraction-sweep.md"));
        assertEquals(4, md.stream().filter(l -> l.startsWith("| MECAM") || l.startsWith("| w/o")).count(),
                "2 variants x 2 fractions:\n" + String.join("\n", md));
        assertTrue(md.stream().anyMatch(l -> l.startsWith("| w/o") && l.contains("n=2)")), "paired over 2 seeds");
        assertTrue(Files.readString(tables.resolve("smoke-negative-fraction-sweep-negative-info.csv")).contains("MAE conflict"));
        assertTrue(Files.readString(tables.resolve("smoke-negative-fraction-negative-0.20-validation.md")).contains("valid MAE"));
        BufferedImage png = ImageIO.read(root.resolve("figures").resolve("smoke-negative-fraction-sweep.png").toFile());
        assertTrue(png.getWidth() > 600 && png.getHeight() > 400);

        // what docs/results ships: the run files without checkpoints and figures
        Path copy = tmp.resolve("copy");
        ResultsPublisher.publish(root, copy);
        assertTrue(Files.notExists(copy.resolve("tables")));
        try (Stream<Path> files = Files.walk(copy)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".npz") || p.toString().endsWith(".png")));
        }
        ExperimentReport.write(copy);
        try (Stream<Path> files = Files.list(tables)) {
            for (Path f : files.toList()) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(copy.resolve("tables").resolve(f.getFileName())),
                        f.getFileName() + " differs when regenerated from the published files");
            }
        }
    }
}
