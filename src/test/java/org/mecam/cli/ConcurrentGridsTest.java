package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.experiment.grid.GridRunner;

/**
 * Grids share a results root: two {@code ablate} processes of one grid started together on one
 * root, and a {@code report} started while they run, all exit 0; no run is trained twice, none is
 * counted as failed, and the tables are byte for byte those of the same grid run alone; no
 * staging file is left behind.
 */
@Tag("integration")
class ConcurrentGridsTest {

    static final String GRID = "{\"name\": \"cg\", \"base\": {\"config\": \"tiny\", \"epochs\": 1, \"trainSize\": 64,"
            + " \"validSize\": 32, \"testSize\": 32}, \"seeds\": [1111, 1112],"
            + " \"datasets\": [{\"name\": \"syn\", \"config\": {\"dataset\": \"synthetic\", \"preset\": \"tiny\"}}],"
            + " \"reference\": \"a\", \"variants\": [{\"name\": \"a\"}, {\"name\": \"b\", \"config\": {\"alpha\": 0}},"
            + " {\"name\": \"c\", \"config\": {\"fusion\": \"concat\"}}]}";

    @TempDir
    Path tmp;

    private Process start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(GridRunner.javaCommand());
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(tmp.resolve(name + ".out").toFile()).redirectError(tmp.resolve(name + ".err").toFile());
        pb.environment().put("MECAM_THREADS", "1");
        return pb.start();
    }

    private String log(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".out"), StandardCharsets.UTF_8) + "\n"
                + Files.readString(tmp.resolve(name + ".err"), StandardCharsets.UTF_8);
    }

    @Test
    void twoGridsAndAReportOnOneRootFinishTogether() throws Exception {
        Path grid = tmp.resolve("cg.json");
        Files.writeString(grid, GRID);
        Path alone = tmp.resolve("alone");
        Process a0 = start("alone", "ablate", "--grid", grid.toString(), "--results", alone.toString());
        assertTrue(a0.waitFor(600, TimeUnit.SECONDS));
        assertEquals(0, a0.exitValue(), log("alone"));

        Path shared = tmp.resolve("shared");
        Process first = start("first", "ablate", "--grid", grid.toString(), "--results", shared.toString());
        Process second = start("second", "ablate", "--grid", grid.toString(), "--results", shared.toString());
        Process report = null;
        for (int i = 0; i < 600 && report == null; i++) {
            if (Files.isDirectory(shared.resolve("cg"))) {
                report = start("report", "report", "--results", shared.toString());
            } else {
                Thread.sleep(100);
            }
        }
        assertTrue(report != null, "the grids never started");
        for (Process p : List.of(first, second, report)) {
            assertTrue(p.waitFor(600, TimeUnit.SECONDS));
        }
        assertEquals(0, first.exitValue(), log("first"));
        assertEquals(0, second.exitValue(), log("second"));
        assertEquals(0, report.exitValue(), log("report"));
        for (String name : List.of("first", "second")) {
            assertFalse(log(name).contains("failed:"), log(name));
            assertTrue(log(name).contains("grid cg: 6 runs"), log(name));
        }
        int trained = count(log("first"), "grid cg: run ") + count(log("second"), "grid cg: run ");
        assertEquals(6, trained, "each run trained once over both processes:\n" + log("first") + log("second"));

        List<Path> tables;
        try (Stream<Path> s = Files.list(alone.resolve("tables"))) {
            tables = s.sorted().toList();
        }
        assertFalse(tables.isEmpty());
        for (Path t : tables) {
            Path other = shared.resolve("tables").resolve(t.getFileName().toString());
            assertTrue(Files.isRegularFile(other), other + " missing");
            assertArrayEquals(Files.readAllBytes(t), Files.readAllBytes(other), t.getFileName() + " differs");
        }
        try (Stream<Path> s = Files.walk(shared)) {
            List<String> staging = s.map(p -> shared.relativize(p).toString())
                    .filter(p -> p.contains(".partial") || p.contains(".incomplete/") || p.endsWith(".incomplete")).toList();
            assertTrue(staging.isEmpty(), "left behind: " + staging);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
