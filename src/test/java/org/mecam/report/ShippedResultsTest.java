package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;

/**
 * The results shipped in docs/results/ regenerate: {@code report} over a copy of its run files
 * alone writes every committed table byte for byte, so a user comparing a re-run compares with
 * what those runs say.
 */
class ShippedResultsTest {

    static final Path SHIPPED = Path.of("docs", "results");

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    @Test
    void reportOverACopyReproducesEveryCommittedTable(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SHIPPED.resolve("tables")), "no docs/results/tables in this checkout");
        Path copy = tmp.resolve("results");
        try (Stream<Path> walk = Files.walk(SHIPPED)) {
            for (Path p : walk.toList()) {
                Path rel = SHIPPED.relativize(p);
                if (rel.getNameCount() > 0 && (rel.getName(0).toString().equals("tables")
                        || rel.getName(0).toString().equals("figures"))) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    Files.createDirectories(copy.resolve(rel.toString()));
                } else {
                    Files.copy(p, copy.resolve(rel.toString()));
                }
            }
        }
        ExperimentReport.write(copy);
        List<Path> committed;
        try (Stream<Path> s = Files.list(SHIPPED.resolve("tables"))) {
            committed = s.sorted().toList();
        }
        assertTrue(!committed.isEmpty());
        for (Path f : committed) {
            Path regenerated = copy.resolve("tables").resolve(f.getFileName().toString());
            assertTrue(Files.isRegularFile(regenerated), f + " is not written by report any more");
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(regenerated), f + " differs when regenerated");
        }
        try (Stream<Path> s = Files.list(copy.resolve("tables"))) {
            for (Path f : s.toList()) {
                assertTrue(Files.isRegularFile(SHIPPED.resolve("tables").resolve(f.getFileName().toString())),
                        f.getFileName() + " is written by report but not committed: run report --publish docs/results");
            }
        }
    }
}
