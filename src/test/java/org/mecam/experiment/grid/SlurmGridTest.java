package org.mecam.experiment.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.report.ExperimentReport;

/**
 * A grid on a real Slurm cluster: scripts/slurm-local.sh starts a single-node cluster (Debian's
 * slurm-wlm and munge; skipped, with the reason, where the machine cannot run one), the smoke grid
 * is submitted as a job array through the CLI, one task is cancelled while the array runs and the
 * grid is submitted again at once (only the cancelled run is submitted: the others are claimed by
 * live tasks), and after both jobs the tables equal those of local workers byte for byte.
 */
@Tag("integration")
class SlurmGridTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path CLUSTER = ROOT.resolve("target").resolve("slurm");
    static String slurmConf;

    @BeforeAll
    static void cluster() throws Exception {
        TestSupport.start();
        Path log = Files.createDirectories(CLUSTER).resolve("start.log");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/slurm-local.sh").toString(), "start")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MECAM_SLURM_DIR", CLUSTER.resolve("cluster").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "slurm-local.sh start did not finish");
        String out = Files.readString(log);
        Assumptions.assumeTrue(p.exitValue() != 3, "skipped: this machine cannot run a local Slurm cluster: " + out.strip());
        assertEquals(0, p.exitValue(), "slurm-local.sh start failed:\n" + out);
        Matcher m = Pattern.compile("export SLURM_CONF=(\\S+)").matcher(out);
        assertTrue(m.find(), out);
        slurmConf = m.group(1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (slurmConf != null) {
            ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/slurm-local.sh").toString(), "stop");
            pb.environment().put("MECAM_SLURM_DIR", CLUSTER.resolve("cluster").toString());
            pb.start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aJobArrayResumesAfterACancelledTaskAndMatchesLocalWorkers(@TempDir Path tmp) throws Exception {
        Path local = tmp.resolve("local");
        GridRunner.Summary s = GridRunner.run(Grid.load("smoke"), "smoke", local, 1, null);
        assertTrue(s.succeeded());
        ExperimentReport.write(local);

        Path slurm = tmp.resolve("slurm");
        String first = cli(tmp, "ablate", "--grid", "smoke", "--launcher", "slurm", "--results", slurm.toString(), "--no-wait");
        Matcher m = Pattern.compile("submitted job array (\\d+) with 10 tasks").matcher(first);
        assertTrue(m.find(), first);
        String job = m.group(1);
        // the last task is still queued (two CPUs): cancel it, then submit again while the array runs
        exec(List.of("scancel", job + "_9"));
        String second = cli(tmp, "ablate", "--grid", "smoke", "--launcher", "slurm", "--results", slurm.toString(),
                "--no-wait");
        Matcher again = Pattern.compile("submitted job array (\\d+) with (\\d+) tasks").matcher(second);
        assertTrue(again.find(), second);
        assertEquals("1", again.group(2), "only the cancelled run is submitted again, the others are claimed:\n" + second);
        for (String id : List.of(job, again.group(1))) {
            for (int i = 0; i < 600 && !exec(List.of("squeue", "-h", "-j", id, "-o", "%i")).isBlank(); i++) {
                Thread.sleep(1000);
            }
        }
        String last = cli(tmp, "ablate", "--grid", "smoke", "--launcher", "slurm", "--results", slurm.toString());
        assertTrue(last.contains("nothing to submit (10 runs finished"), last);

        try (Stream<Path> runs = Files.walk(slurm)) {
            assertEquals(10, runs.filter(p -> p.getFileName().toString().equals("metrics.json"))
                    .filter(p -> !slurm.relativize(p).toString().startsWith(".")).count(), "every run once, none twice");
        }
        assertTrue(Files.isRegularFile(SlurmGrid.dir(slurm, Grid.load("smoke")).resolve("job-" + job + ".sh")));
        List<Path> tables;
        try (Stream<Path> t = Files.list(local.resolve("tables"))) {
            tables = t.sorted().toList();
        }
        assertTrue(tables.size() > 10);
        for (Path f : tables) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(slurm.resolve("tables").resolve(f.getFileName())),
                    f.getFileName() + ": Slurm and local workers disagree");
        }
    }

    /** @return the CLI's output (exit 0 required) */
    private static String cli(Path tmp, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "org.mecam.cli.Main"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, "cli", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("SLURM_CONF", slurmConf, "MECAM_THREADS", "1"));
        Process p = pb.start();
        assertTrue(p.waitFor(900, TimeUnit.SECONDS), String.join(" ", args) + " did not finish");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", args) + ":\n" + out);
        return out;
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SLURM_CONF", slurmConf);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out.contains("Invalid job id") ? "" : out;
    }
}
