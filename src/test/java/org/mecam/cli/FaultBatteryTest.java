package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.data.io.pickle.PickleWriter;
import org.mecam.experiment.grid.GridRunner;

/**
 * The command line under bad input and faults, as a hostile user meets it: every case runs the
 * real CLI in its own JVM (fixtures written here with the kit's pickle writer, a finished run
 * made by the CLI itself) and checks the exit code, that stderr holds exactly one {@code error:}
 * line naming what it should and no stack trace, and what the results directory holds afterwards.
 * Cases that need root (a small tmpfs for a full disk, a mount namespace without fonts) are
 * skipped with a message elsewhere. The case count is printed at the end.
 */
@Tag("integration")
class FaultBatteryTest {

    @TempDir
    static Path tmp;

    private static final AtomicInteger CASES = new AtomicInteger();
    /** A finished tiny run made by the CLI, copied by the cases that damage one. */
    private static Path finishedRun;

    /** Small and fast: the tiny preset, one epoch, few samples, no TensorBoard. */
    static final List<String> TINY = List.of("--config", "tiny", "--epochs", "1", "--train-size", "48",
            "--valid-size", "16", "--test-size", "16", "--quiet", "--tensorboard", "false");

    record Outcome(int code, String out, String err) {

        List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith("error:")).toList();
        }

        String describe() {
            return "exit " + code + "\n--- stderr:\n" + err + "\n--- stdout:\n" + out;
        }
    }

    /** Runs {@code java ... org.mecam.cli.Main args} (after {@code prefix}, e.g. unshare) and waits for it. */
    static Outcome mecam(List<String> prefix, Map<String, String> env, String... args) throws Exception {
        Process p = start(prefix, env, args);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the CLI did not finish in 5 min: " + Arrays.toString(args));
        return new Outcome(p.exitValue(), read(tmp.resolve("last.out")), read(tmp.resolve("last.err")));
    }

    static Outcome mecam(String... args) throws Exception {
        return mecam(List.of(), Map.of(), args);
    }

    static Process start(List<String> prefix, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(GridRunner.javaCommand());
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(tmp.resolve("last.out").toFile()).redirectError(tmp.resolve("last.err").toFile());
        pb.environment().put("MECAM_THREADS", "1");
        pb.environment().remove(Main.DEBUG);
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Exit code, one error line holding every fragment, no stack trace. */
    static Outcome expect(Outcome o, int code, String... fragments) {
        CASES.incrementAndGet();
        assertEquals(code, o.code(), o.describe());
        if (code != 0) {
            assertEquals(1, o.errorLines().size(), "exactly one error line: " + o.describe());
            for (String f : fragments) {
                assertTrue(o.errorLines().get(0).contains(f), "the error line should name '" + f + "': " + o.describe());
            }
        }
        assertFalse(o.err().contains("\tat ") || o.err().contains("Exception in thread"), "no stack trace: " + o.describe());
        assertFalse(o.err().contains("com.google.gson") || o.err().contains("NullPointerException"), o.describe());
        return o;
    }

    static List<String> args(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    static String[] train(Path results, String... more) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(TINY);
        a.addAll(List.of(more));
        a.addAll(List.of("--results", results.toString()));
        return a.toArray(String[]::new);
    }

    /** @return every file under {@code dir} (relative), for assertions on what was left behind */
    static List<String> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    static boolean anyNamed(Path dir, String suffix) throws IOException {
        return !named(dir, suffix).isEmpty();
    }

    /**
     * @return the files under {@code dir} whose names end with {@code suffix} (the cases share
     *     one folder, so a case compares what it finds before and after it ran)
     */
    static List<String> named(Path dir, String suffix) throws IOException {
        return files(dir).stream().filter(f -> f.endsWith(suffix)).toList();
    }

    static Path write(String name, Object root) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); PickleWriter w = new PickleWriter(out)) {
            w.dump(root);
        }
        return file;
    }

    static Path broken(String name, Consumer<Map<Object, Object>> change) throws IOException {
        Map<Object, Object> root = BadDatasetTest.valid();
        change.accept(root);
        return write(name, root);
    }

    static Path copyRun(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(finishedRun)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(finishedRun.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return to;
    }

    @BeforeAll
    static void finishedRun() throws Exception {
        Path results = tmp.resolve("made");
        expect(mecam(train(results)), 0);
        try (Stream<Path> s = Files.list(results)) {
            finishedRun = s.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
        }
        assertTrue(Files.isRegularFile(finishedRun.resolve("checkpoint/model.npz")));
    }

    @AfterAll
    static void count() {
        System.out.println("fault battery: " + CASES.get() + " cases checked through the CLI");
    }

    /** One bad input each: exit 2, one line naming the value, the file or the key, nothing written. */
    @TestFactory
    Stream<DynamicTest> badInputWritesNothing() throws IOException {
        Path bigJson = tmp.resolve("big.json");
        Files.writeString(bigJson, "{\"epochs\": 99999999999}");
        Path syntax = tmp.resolve("syntax.json");
        Files.writeString(syntax, "{\"epochs\": 3,, }");
        Path badGrid = tmp.resolve("grid-syntax.json");
        Files.writeString(badGrid, "{\"name\": \"g\", \"seeds\": [1], ");
        Path widths = broken("widths.pkl", r -> ((Map<Object, Object>) r.get("test")).put("audio",
                PickleWriter.floats(new long[] {2, BadDatasetTest.LA, 5}, BadDatasetTest.ramp(2 * BadDatasetTest.LA * 5))));
        Path hugeToken = broken("huge-token.pkl", r -> BadDatasetTest.train(r).put("text_bert",
                tokens(4, 1_000_000_000L)));
        Path negativeToken = broken("negative-token.pkl", r -> BadDatasetTest.train(r).put("text_bert", tokens(4, -5)));
        Path notScript = tmp.resolve("not-torchscript.pt");
        Files.writeString(notScript, "prediction,label\n");
        Path csv = tmp.resolve("huge.csv");
        Files.writeString(csv, "prediction,label\n1e308,1\n0.5,0.2\n");
        Path exportDir = Files.createDirectories(tmp.resolve("export-dir"));
        Path results = tmp.resolve("bad-input-results");
        String r = results.toString();
        List<Object[]> cases = List.of(
                new Object[] {"integer option beyond int", List.of("train", "--config", "tiny", "--epochs", "99999999999",
                    "--results", r), new String[] {"--epochs", "99999999999", "out of range"}},
                new Object[] {"batch size that would wrap to 2", List.of("train", "--config", "tiny", "--batch-size",
                    "4294967298", "--results", r), new String[] {"--batch-size", "4294967298"}},
                new Object[] {"JSON value beyond int", List.of("train", "--config", bigJson.toString(), "--results", r),
                    new String[] {"big.json", "epochs", "out of range"}},
                new Object[] {"JSON syntax error", List.of("train", "--config", syntax.toString(), "--results", r),
                    new String[] {"syntax.json", "line 1"}},
                new Object[] {"grid syntax error", List.of("ablate", "--grid", badGrid.toString(), "--results", r),
                    new String[] {"grid-syntax.json"}},
                new Object[] {"unknown command", List.of("trian"), new String[] {"trian"}},
                new Object[] {"negative learning rate", List.of("train", "--config", "tiny", "--lr-main", "-1", "--results",
                    r), new String[] {"lrMain"}},
                new Object[] {"unknown MKL kernels", List.of("train", "--config", "tiny", "--mkl-kernels", "fast", "--results",
                    r), new String[] {"mklKernels", "avx512, vendor", "fast"}},
                new Object[] {"unknown dropout masks", List.of("train", "--config", "tiny", "--dropout-masks", "fast",
                    "--results", r), new String[] {"dropoutMasks", "auto, kit, libtorch", "fast"}},
                new Object[] {"unknown attention kernel", List.of("train", "--config", "tiny", "--attention-kernel", "fast",
                    "--results", r), new String[] {"attentionKernel", "factored, direct", "fast"}},
                new Object[] {"unknown LSTM kernel", List.of("train", "--config", "tiny", "--lstm-kernel", "fast",
                    "--results", r), new String[] {"lstmKernel", "training, capped", "fast"}},
                new Object[] {"missing dataset file", List.of("train", "--config", "tiny", "--dataset", "mmsa", "--path",
                    tmp.resolve("nope.pkl").toString(), "--results", r), new String[] {"nope.pkl"}},
                new Object[] {"splits with different audio widths", List.of("train", "--config", "tiny", "--dataset",
                    "mmsa", "--path", widths.toString(), "--results", r), new String[] {"widths.pkl", "audio", "3", "5"}},
                new Object[] {"token id 1e9", List.of("train", "--config", "tiny", "--text-mode", "bert", "--dataset",
                    "mmsa", "--path", hugeToken.toString(), "--results", r), new String[] {"huge-token.pkl", "text_bert"}},
                new Object[] {"negative token id", List.of("train", "--config", "tiny", "--text-mode", "bert", "--dataset",
                    "mmsa", "--path", negativeToken.toString(), "--results", r),
                    new String[] {"negative-token.pkl", "text_bert", "-5"}},
                new Object[] {"a file that is not TorchScript", List.of("train", "--config", "tiny", "--text-mode",
                    "torchscript", "--torchscript", notScript.toString(), "--results", r),
                    new String[] {"not-torchscript.pt"}},
                new Object[] {"metrics of 1e308", List.of("metrics", "--predictions", csv.toString()),
                    new String[] {"huge.csv", "1e308", "float range"}},
                new Object[] {"export onto a directory", List.of("data", "export", "--format", "mmsa", "--preset", "tiny",
                    "--out", exportDir.toString()), new String[] {"export-dir", "is a directory"}},
                new Object[] {"bench into a missing folder", List.of("bench", "--out", tmp.resolve("no/such/b.json")
                    .toString()), new String[] {"no/such"}},
                new Object[] {"bench with -1 steps and 0 processes", List.of("bench", "--steps", "-1", "--processes", "0",
                    "--out", tmp.resolve("b.json").toString()), new String[] {"--processes", "--steps"}},
                new Object[] {"evaluate of a folder that is not a run", List.of("evaluate", "--checkpoint",
                    exportDir.toString()), new String[] {"config.json"}});
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c[0], () -> {
            @SuppressWarnings("unchecked")
            List<String> a = (List<String>) c[1];
            List<String> partialBefore = named(tmp, ".partial");
            expect(mecam(a.toArray(String[]::new)), 2, (String[]) c[2]);
            assertFalse(Files.exists(results), "bad input writes no results root: " + files(results));
            assertEquals(List.of(), files(exportDir), "nothing written into the export folder");
            List<String> partialAfter = new ArrayList<>(named(tmp, ".partial"));
            partialAfter.removeAll(partialBefore);
            assertEquals(List.of(), partialAfter, "no half-written file");
        }));
    }

    private static Object tokens(int n, long value) {
        long[] ids = new long[n * 3 * BadDatasetTest.LT];
        for (int i = 0; i < n; i++) {
            ids[i * 3 * BadDatasetTest.LT] = 101;
            ids[i * 3 * BadDatasetTest.LT + 1] = value;
            ids[(i * 3 + 1) * BadDatasetTest.LT] = 1;
            ids[(i * 3 + 1) * BadDatasetTest.LT + 1] = 1;
        }
        return PickleWriter.longs(new long[] {n, 3, BadDatasetTest.LT}, ids);
    }

    @Test
    void aBadMklKernelsDefaultIsNamed() throws Exception {
        Path results = tmp.resolve("mkl-env-results");
        expect(mecam(List.of(), Map.of("MECAM_MKL_KERNELS", "fast"), train(results)), 2,
                "mklKernels", "fast", "MECAM_MKL_KERNELS");
        assertFalse(Files.exists(results), "bad input writes no results root: " + files(results));
    }

    @Test
    void badLstmKernelVariablesAreNamed() throws Exception {
        Path results = tmp.resolve("lstm-env-results");
        expect(mecam(List.of(), Map.of("MECAM_LSTM_KERNEL", "fast"), train(results)), 2,
                "lstmKernel", "training, capped", "fast", "MECAM_LSTM_KERNEL");
        expect(mecam(List.of(), Map.of("MECAM_ONEDNN_CAP", "autograd"), train(results)), 2,
                "MECAM_ONEDNN_CAP", "must be off or unset", "autograd", "lstmKernel");
        assertFalse(Files.exists(results), "bad input writes no results root: " + files(results));
    }

    /** Damaged finished runs: named as such, exit 2; the run directory is left as it was. */
    @Test
    void damagedRunsAreNamed() throws Exception {
        Path empty = copyRun("empty-checkpoint");
        Files.write(empty.resolve("checkpoint/model.npz"), new byte[0]);
        expect(mecam("evaluate", "--checkpoint", empty.toString()), 2, "model.npz", "0 bytes");
        Path cut = copyRun("cut-checkpoint");
        byte[] good = Files.readAllBytes(cut.resolve("checkpoint/model.npz"));
        Files.write(cut.resolve("checkpoint/model.npz"), Arrays.copyOf(good, good.length / 2));
        expect(mecam("evaluate", "--checkpoint", cut.toString()), 2, "model.npz", "truncated or damaged");
        Path random = copyRun("random-checkpoint");
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        Files.write(random.resolve("checkpoint/model.npz"), noise);
        expect(mecam("evaluate", "--checkpoint", random.toString()), 2, "model.npz");

        Path root = Files.createDirectories(tmp.resolve("corrupt-metrics"));
        Path copy = copyRun("corrupt-metrics/one-run");
        Files.writeString(copy.resolve("metrics.json"), "{\"mae\": 0.5, ");
        expect(mecam("report", "--results", root.toString()), 2, "metrics.json");
        assertFalse(Files.exists(root.resolve("tables")), "no report from unreadable runs");
    }

    /** NaN and infinities in float32 arrays (read in place) are zeroed with a note, as float64 ones are. */
    @Test
    void nonFiniteFeaturesAreNoted() throws Exception {
        Path file = broken("nan.pkl", r -> {
            float[] a = BadDatasetTest.ramp(4 * BadDatasetTest.LA * 3);
            a[1] = Float.NaN;
            a[5] = Float.NEGATIVE_INFINITY;
            BadDatasetTest.train(r).put("audio", PickleWriter.floats(new long[] {4, BadDatasetTest.LA, 3}, a));
        });
        Path results = tmp.resolve("nan-results");
        Outcome o = expect(mecam("train", "--config", "tiny", "--epochs", "1", "--quiet", "--tensorboard", "false",
                "--dataset", "mmsa", "--path", file.toString(), "--results", results.toString()), 0);
        assertTrue(o.err().contains("train/audio: 2 non-finite values mapped to 0"), o.describe());
        assertTrue(files(results).stream().filter(f -> f.endsWith("config.json")).findFirst().map(f -> {
            try {
                return Files.readString(results.resolve(f)).contains("2 non-finite values mapped to 0");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).orElse(false), "the note is in the run's provenance");
    }

    /** A run that diverges before any epoch keeps no checkpoint; evaluate refuses diverged runs unless asked. */
    @Test
    void divergedRuns() throws Exception {
        Path results = tmp.resolve("diverged");
        expect(mecam(train(results, "--lr-main", "1e4")), 3, "non-finite", "epoch 1");
        Path run;
        try (Stream<Path> s = Files.list(results)) {
            run = s.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
        }
        assertTrue(Files.isRegularFile(run.resolve("failure.json")));
        assertFalse(Files.exists(run.resolve("checkpoint/model.npz")), "no checkpoint of weights that never made an epoch");
        expect(mecam("evaluate", "--checkpoint", run.toString()), 3, "failure.json", "no checkpoint");

        // a run that diverged after a good epoch keeps that epoch's checkpoint
        Path later = copyRun("diverged-later");
        Files.writeString(later.resolve("failure.json"), "{\"message\": \"non-finite lld (NaN) in epoch 2, stage 1,"
                + " batch 3\"}");
        expect(mecam("evaluate", "--checkpoint", later.toString()), 3, "diverged", "epoch 2", "--allow-diverged");
        Outcome anyway = expect(mecam("evaluate", "--checkpoint", later.toString(), "--allow-diverged"), 0);
        assertTrue(anyway.out().contains("\"matches_saved_metrics\": true"), anyway.describe());
    }

    /** I/O failures without root: a results root that is a file, a kernel prefix under a file, a refused rename. */
    @Test
    void ioFailuresExitFour() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        expect(mecam(train(file)), 4, "a-file", "Not a directory");
        expect(mecam("kernel", "install", "--prefix", file.resolve("prefix").toString()), 4, "a-file", "Not a directory");

        // the staging area on another file system: the finished run cannot be renamed into place, and is kept
        Path other = Path.of("/dev/shm");
        Path results = Files.createDirectories(tmp.resolve("rename-fails"));
        assumeTrue(Files.isDirectory(other) && !Files.getFileStore(other).equals(Files.getFileStore(results)),
                "needs /dev/shm on another file system than " + tmp);
        Path away = Files.createTempDirectory(other, "mecam-staging");
        try {
            Files.createSymbolicLink(results.resolve(".incomplete"), away);
            expect(mecam(train(results)), 4, "cannot move the finished run into place", "kept", "atomic");
            List<String> kept = files(away);
            assertTrue(kept.stream().anyMatch(f -> f.endsWith("metrics.json")) && kept.stream()
                    .anyMatch(f -> f.endsWith("KEPT-not-moved.txt")), "the finished run is kept: " + kept);
            // the next run there must not remove it as a dead process's leftover
            expect(mecam(train(results)), 4, "kept");
            assertTrue(files(away).containsAll(kept), "still kept after the next run: " + files(away));
        } finally {
            org.mecam.experiment.run.RunDirectory.deleteRecursively(away);
        }
    }

    // ---- root only: small file systems and a machine without fonts

    private static boolean mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static void umount(Path dir) throws Exception {
        new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * A full disk (a 3 MiB tmpfs, room for one tiny run): train and export fail with exit 4
     * naming the path and leave nothing half-written; a grid stops at the first failure with its
     * finished run intact and no tables, and resumes once there is room.
     */
    @Test
    void fullDisk() throws Exception {
        Path disk = tmp.resolve("disk");
        assumeTrue(mount(disk, "size=3m"), "mounting a tmpfs needs root: full-disk cases skipped");
        try {
            Path grid = tmp.resolve("disk-grid.json");
            Files.writeString(grid, "{\"name\": \"disk\", \"base\": {\"config\": \"tiny\", \"epochs\": 1, \"trainSize\": 48,"
                    + " \"validSize\": 16, \"testSize\": 16, \"tensorboard\": false}, \"seeds\": [1111, 1112],"
                    + " \"datasets\": [{\"name\": \"tiny\", \"config\": {\"dataset\": \"synthetic\", \"preset\": \"tiny\"}}],"
                    + " \"reference\": \"full\", \"variants\": [{\"name\": \"full\"}, {\"name\": \"concat\","
                    + " \"config\": {\"fusion\": \"concat\"}}]}");
            Path results = disk.resolve("results");
            expect(mecam("ablate", "--grid", grid.toString(), "--results", results.toString()), 4,
                    "No space left on device", results.toString());
            List<String> left = files(results);
            long finished = left.stream().filter(f -> f.endsWith("metrics.json")).count();
            assertEquals(1, finished, "the first run fits and is kept: " + left);
            assertTrue(Files.isRegularFile(results.resolve("disk/tiny/full/seed-1111/checkpoint/model.npz")), "" + left);
            assertFalse(left.stream().anyMatch(f -> f.contains(".incomplete") || f.contains(".partial")),
                    "nothing half-written: " + left);
            assertFalse(Files.exists(results.resolve("tables")), "no tables from 1 of 4 runs");

            // with workers: they stop at the same wall, and the grid says so once
            expect(mecam("ablate", "--grid", grid.toString(), "--results", results.toString(), "--workers", "2"), 4,
                    "No space left on device");
            assertEquals(left.stream().filter(f -> f.endsWith("metrics.json")).toList(),
                    files(results).stream().filter(f -> f.endsWith("metrics.json")).toList());
            assertFalse(files(results).stream().anyMatch(f -> f.contains(".incomplete") || f.contains(".partial")));

            Path export = disk.resolve("export.pkl");
            expect(mecam("data", "export", "--format", "mmsa", "--preset", "mosi", "--out", export.toString()), 4,
                    "No space left on device");
            assertFalse(Files.exists(export) || anyNamed(disk, ".partial"), "no half-written export: " + files(disk));
            expect(mecam(train(disk.resolve("train"))), 4, "No space left on device");
            assertFalse(files(disk.resolve("train")).stream().anyMatch(f -> f.endsWith("metrics.json")));

            // room again: the grid resumes, runs the three missing runs, writes its report
            Process grow = new ProcessBuilder("mount", "-o", "remount,size=64m", disk.toString()).start();
            assertTrue(grow.waitFor(30, TimeUnit.SECONDS) && grow.exitValue() == 0);
            Outcome resumed = expect(mecam("ablate", "--grid", grid.toString(), "--results", results.toString(),
                    "--workers", "2"), 0);
            assertTrue(resumed.out().contains("4 runs, 1 already finished, 3 run now"), resumed.describe());
            assertTrue(Files.isDirectory(results.resolve("tables")));
        } finally {
            umount(disk);
        }
    }

    /** A read-only results root (a read-only mount: root ignores file modes). */
    @Test
    void readOnlyResults() throws Exception {
        Path ro = tmp.resolve("read-only");
        assumeTrue(mount(ro, "size=1m,ro"), "mounting a tmpfs needs root: read-only case skipped");
        try {
            expect(mecam(train(ro)), 4, "Read-only file system");
            expect(mecam("kernel", "install", "--prefix", ro.toString()), 4, "Read-only file system");
        } finally {
            umount(ro);
        }
    }

    /** No font on the machine (a mount namespace hides them): the bundled font draws the charts. */
    @Test
    void chartsWithoutSystemFonts() throws Exception {
        Path results = tmp.resolve("no-fonts");
        Path cache = tmp.resolve("font-cache");
        List<String> hide = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs tmpfs /usr/share/fonts && exec \"$@\"", "sh"));
        Process probe = new ProcessBuilder(hide.get(0), "-m", "true").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0 && Files.isDirectory(Path.of("/usr/share/fonts")),
                "needs root to hide the fonts in a mount namespace: case skipped");
        Outcome o = expect(mecam(hide, Map.of("XDG_CACHE_HOME", cache.toString()), train(results)), 0);
        assertTrue(o.err().contains("charts use the bundled DejaVu Sans"), o.describe());
        assertFalse(o.err().contains("not drawn"), o.describe());
        List<String> pngs = files(results).stream().filter(f -> f.endsWith(".png")).toList();
        assertTrue(pngs.size() >= 4, "every figure drawn: " + files(results));
    }

    // ---- signals

    private static void waitFor(Path file, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!read(file).contains(text)) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "waiting for '" + text + "': " + read(file));
            Thread.sleep(100);
        }
    }

    /**
     * The stopped processes remove their staging folders as they exit; a folder a still-running
     * thread recreated at that moment may remain, but only one whose process is gone, which the
     * next run in that root removes ({@code GridTest} checks that removal; never one of a live process).
     */
    private static void assertOnlyDeadStaging(Path results) throws IOException {
        if (!Files.exists(results)) {
            return;
        }
        try (Stream<Path> s = Files.walk(results)) {
            for (Path p : s.filter(Files::isDirectory).filter(d -> d.getParent() != null
                    && d.getParent().getFileName().toString().equals(".incomplete")).toList()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("@[^@]*-(\\d+)-[0-9a-f]+$")
                        .matcher(p.getFileName().toString());
                assertTrue(m.find(), "a staging folder named by its process: " + p);
                long pid = Long.parseLong(m.group(1));
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "staging of a live process left behind: " + p);
            }
        }
    }

    /** SIGTERM and SIGINT of train: 143 / 130, a message, no run and no staging left. */
    @Test
    void signalsStopTrainCleanly() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            Path results = tmp.resolve("signal-" + signal);
            List<String> a = new ArrayList<>(List.of(train(results)));
            a.set(a.indexOf("--epochs") + 1, "200");
            a.remove("--quiet");
            Process p = start(List.of(), Map.of(), a.toArray(String[]::new));
            waitFor(tmp.resolve("last.err"), "epoch   2", p);
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            Outcome o = new Outcome(p.exitValue(), read(tmp.resolve("last.out")), read(tmp.resolve("last.err")));
            CASES.incrementAndGet();
            assertEquals(signal.equals("TERM") ? 143 : 130, o.code(), o.describe());
            assertTrue(o.err().contains("interrupted: `mecam train` was stopped by a signal"), o.describe());
            assertFalse(files(results).stream().anyMatch(f -> f.endsWith("metrics.json") && !f.contains(".incomplete")),
                    "no run: " + files(results));
            assertOnlyDeadStaging(results);
        }
    }

    /** SIGTERM of a grid with two workers: the workers stop too, and remove their unfinished runs. */
    @Test
    void signalStopsAGridAndItsWorkers() throws Exception {
        Path results = tmp.resolve("signal-grid");
        Process p = start(List.of(), Map.of(), "ablate", "--grid", "smoke", "--workers", "2", "--results",
                results.toString(), "--no-report");
        List<ProcessHandle> workers = List.of();
        for (int i = 0; i < 600 && workers.size() < 2; i++) {
            Thread.sleep(100);
            workers = p.children().toList();
        }
        assertEquals(2, workers.size(), "two workers started");
        waitFor(tmp.resolve("last.err"), "grid smoke: run ", p);
        Thread.sleep(3000); // into the first runs
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        for (ProcessHandle w : workers) {
            w.onExit().get(30, TimeUnit.SECONDS);
        }
        Outcome o = new Outcome(p.exitValue(), read(tmp.resolve("last.out")), read(tmp.resolve("last.err")));
        CASES.incrementAndGet();
        assertEquals(143, o.code(), o.describe());
        assertTrue(o.err().contains("interrupted: `mecam ablate` was stopped by a signal"), o.describe());
        assertOnlyDeadStaging(results);
    }
}
