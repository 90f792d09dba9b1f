package org.mecam.experiment.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.experiment.run.ResultStore;
import org.mecam.experiment.run.ReuseCheck;
import org.mecam.experiment.run.RunDirectory;
import org.mecam.report.ExperimentReport;
import org.mecam.report.Stats;

/** Grid expansion, resuming after a kill, and the report built from the runs. */
class GridTest {

    @TempDir
    Path tmp;

    @Test
    void expansionMergesBaseDatasetVariantAndSeed() {
        Grid g = Grid.load("smoke");
        List<Grid.RunSpec> runs = g.expand();
        assertEquals(5 * 2, runs.size(), "6 variants, one same_as another, x 2 seeds x 1 dataset");
        Grid.RunSpec noFilter = runs.stream().filter(r -> r.variant().equals("w/o contrastive filter") && r.seed() == 1112)
                .findFirst().orElseThrow();
        assertEquals(0.0, noFilter.config().alpha);
        assertEquals(2, noFilter.config().epochs, "from the base");
        assertEquals(32, noFilter.config().textDim, "from the built-in tiny config named by the base");
        assertEquals(1112, noFilter.config().seed);
        assertTrue(runs.stream().noneMatch(r -> r.variant().equals("positives=class7")), "same_as variants are not run");
        assertEquals("full", g.runVariant("positives=class7"));
        assertEquals("late", runs.stream().filter(r -> r.variant().equals("late fusion")).findFirst().orElseThrow()
                .config().fusion);
        assertEquals("tribuo-linear", runs.get(runs.size() - 1).config().method);
        assertTrue(runs.get(0).dir(tmp, g.name()).endsWith(Path.of("smoke", "synthetic-tiny", "full", "seed-1111")));
        for (String builtIn : Grid.builtIns()) {
            assertFalse(Grid.load(builtIn).expand().isEmpty(), builtIn);
        }
        assertEquals(24 * 5 - 2 * 5 - 3 * 2, Grid.load("ablations-mosi").expand().size(),
                "24 rows, 2 of them same_as, 3 of them limited to 3 of the 5 seeds");
    }

    @Test
    void aSeedDrawsTheDataWhenTheGridSaysSo() {
        for (Grid.RunSpec r : Grid.load("complementary-pilot").expand()) {
            assertEquals(r.seed(), r.config().dataSeed, "seed_draws_data: " + r);
        }
        for (Grid.RunSpec r : Grid.load("smoke").expand()) {
            assertEquals(7, r.config().dataSeed, "by default every seed trains on one draw: " + r);
        }
        Grid scaled = Grid.load("complementary-pilot").scaled(2, 64, List.of(5L));
        assertEquals(5L, scaled.expand().get(0).config().dataSeed, "kept when scaled");
    }

    @Test
    void maxSeedsRunsTheFirstSeedsOfAVariantOnly() throws IOException {
        Path f = tmp.resolve("limited.json");
        Files.writeString(f, "{\"name\": \"g\", \"base\": {\"config\": \"tiny\"}, \"seeds\": [7, 3, 5],"
                + " \"variants\": [{\"name\": \"a\"}, {\"name\": \"slow\", \"max_seeds\": 2},"
                + " {\"name\": \"alias\", \"same_as\": \"slow\"}]}");
        Grid g = Grid.load(f.toString());
        List<String> runs = g.expand().stream().map(r -> r.variant() + "@" + r.seed()).toList();
        assertEquals(List.of("a@7", "slow@7", "a@3", "slow@3", "a@5"), runs, "seed-major, slow stops after 2 seeds");
        assertEquals(2, g.seeds(g.variant("alias")), "a same_as variant has its twin's seeds");
        assertEquals(List.of("a@7", "slow@7"), g.scaled(0, 0, List.of(7L)).expand().stream()
                .map(r -> r.variant() + "@" + r.seed()).toList(), "a grid limited to fewer seeds keeps the cap's meaning");
        GridRunner.writeSpec(g, f.toString(), tmp);
        String spec = Files.readString(tmp.resolve("g").resolve("grid.json"));
        assertTrue(spec.contains("\"variant_seeds\": {\n    \"slow\": 2\n  }"), spec);
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\", \"max_seeds\": 0}]}", "max_seeds must be >= 1");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\"}, {\"name\": \"b\", \"same_as\": \"a\","
                + " \"max_seeds\": 1}]}", "cannot go with same_as");
    }

    @Test
    void badGridsNameTheProblem() throws IOException {
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\"}], \"seedz\": [1]}", "unknown key 'seedz'");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "declared twice");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\"}, {\"name\": \"b\", \"same_as\": \"c\"}]}",
                "same_as 'c'");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\", \"config\": {\"fusion\": \"sum\"}}]}",
                "variant 'a'");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\", \"config\": {\"lrMain\": -1}}]}", "lrMain");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\"}], \"robustness\": {\"perturbations\": [\"audio-drop\"],"
                + " \"levels\": [0.2]}}", "must start at 0");
        assertBad("{\"name\": \"g\", \"variants\": [{\"name\": \"a\"}], \"robustness\": {\"perturbations\": [\"audio-dro\"],"
                + " \"levels\": [0]}}", "unknown perturbation");
        assertTrue(assertThrows(ConfigException.class, () -> Grid.load(tmp.resolve("nope.json").toString())).getMessage()
                .contains("file not found"));
    }

    private void assertBad(String json, String expected) throws IOException {
        Path f = tmp.resolve("g" + json.hashCode() + ".json");
        Files.writeString(f, json);
        ConfigException e = assertThrows(ConfigException.class, () -> Grid.load(f.toString()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** Kills a grid process with SIGKILL after its first finished run, then resumes in this process. */
    @Test
    @Tag("integration")
    void resumesAfterAKillWithoutLosingOrDuplicatingRuns() throws Exception {
        TestSupport.start();
        Path root = tmp.resolve("results");
        List<String> cmd = new ArrayList<>(GridRunner.javaCommand());
        cmd.addAll(List.of("org.mecam.cli.Main", "ablate", "--grid", "smoke", "--results", root.toString(), "--no-report"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (finished(root) < 2 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        int before = finished(root);
        assertTrue(before >= 1 && before < 10, "killed mid-grid after " + before + " runs; log: "
                + Files.readString(tmp.resolve("child.log")));

        GridRunner.Summary s = GridRunner.run(Grid.load("smoke"), "smoke", root, 1, null);
        assertEquals(10, s.total());
        assertEquals(before, s.skipped(), "finished runs are skipped");
        assertEquals(10 - before, s.ran(), "every other run is done exactly once");
        assertTrue(s.succeeded());
        assertEquals(10, finished(root));
        ResultStore store = ResultStore.scan(root);
        assertEquals(10, store.runs().size(), "no half-written run counts, none is duplicated");
        assertEquals(10, store.runs().stream().map(r -> r.variant() + r.seed()).distinct().count());

        List<Path> files = ExperimentReport.write(root);
        for (String name : new String[] {"smoke-synthetic-tiny-ablation.md", "smoke-synthetic-tiny-ablation.tex",
            "smoke-synthetic-tiny-ablation.csv", "smoke-synthetic-tiny-ablation-vs-full.md",
            "smoke-synthetic-tiny-negative-info.md", "all-metrics-long.csv"}) {
            assertTrue(Files.size(root.resolve("tables").resolve(name)) > 0, name);
        }
        for (String name : new String[] {"ablation-mae", "ablation-acc2_has0", "training-curves", "predictions-vs-truth",
            "confusion-7class", "representations-pca", "attention"}) {
            Path png = root.resolve("figures").resolve("smoke-synthetic-tiny-" + name + ".png");
            BufferedImage img = ImageIO.read(png.toFile());
            assertTrue(img.getWidth() > 300 && img.getHeight() > 300, name);
            assertTrue(Files.readString(root.resolve("figures").resolve("smoke-synthetic-tiny-" + name + ".svg"))
                    .contains("<svg"), name);
        }
        assertTrue(files.size() >= 20);

        // the same tables and charts as objects, for notebooks
        ExperimentReport report = ExperimentReport.of(root);
        assertEquals(List.of("smoke"), report.grids());
        assertEquals(List.of("synthetic-tiny"), report.datasets("smoke"));
        assertEquals(Files.readString(root.resolve("tables").resolve("smoke-synthetic-tiny-ablation.md")),
                report.ablationTable("smoke", "synthetic-tiny").markdown());
        assertEquals(6, report.ablationTable("smoke", "synthetic-tiny").rows().size(), "every variant, same_as included");
        assertEquals(6, report.trainingCurves("smoke", "synthetic-tiny").size());
        assertTrue(report.robustnessCurves("smoke", "synthetic-tiny", "mae").isEmpty(), "this grid has no sweep");
        assertEquals(null, report.robustnessTable("smoke", "synthetic-tiny"));
        assertTrue(report.negativeInfoTable("smoke", "synthetic-tiny").rows().size() > 0);
        assertTrue(report.ablationBars("smoke", "synthetic-tiny", "mae").getSeriesMap().size() >= 1);
        assertThrows(IllegalArgumentException.class, () -> report.ablationTable("nope", "synthetic-tiny"));
        assertThrows(IllegalArgumentException.class, () -> report.ablationBars("smoke", "synthetic-tiny", "accuracy"));

        // a finished run is reused only if the grid still asks for its configuration
        Path someRun = Grid.load("smoke").expand().get(0).dir(root, "smoke");
        Path config = someRun.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"alpha\": 0.2", "\"alpha\": 0.7"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> GridRunner.run(Grid.load("smoke"), "smoke", root, 1, null));
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains(someRun.toString()), e.getMessage());
    }

    @Test
    void gridFilesWithBadValuesNameTheKey() throws IOException {
        String[][] cases = {
            {"{\"name\": \"g\", \"seeds\": [1111, \"a\"], \"variants\": [{\"name\": \"v\"}]}", "seeds[1] must be a number"},
            {"{\"name\": \"g\", \"seeds\": 5, \"variants\": [{\"name\": \"v\"}]}", "needs an array \"seeds\", got 5"},
            {"{\"name\": \"g\", \"base\": \"mosi\", \"variants\": [{\"name\": \"v\"}]}", "base must be an object"},
            {"{\"name\": \"g\", \"variants\": [{\"config\": {}}]}", "variants[0] needs a \"name\""},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\", \"sameAs\": \"w\"}]}", "variants[0]: unknown key 'sameAs'"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\"}], \"limits\": {\"max_epochs\": 2}}", "limits: unknown key 'max_epochs'"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\"}], \"limits\": {\"maxEpochs\": 1.5}}", "limits.maxEpochs must be an integer"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\"}], \"datasets\": []}", "\"datasets\" is empty"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\"}], \"seed_draws_data\": \"yes\"}",
                "seed_draws_data must be true or false"},
            {"{\"name\": \"g\", \"seeds\": [1, 1], \"variants\": [{\"name\": \"v\"}]}", "lists a seed twice"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"fusion=concat\"}, {\"name\": \"fusion concat\"}]}",
                "would share the run directory 'fusion-concat'"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\"}], \"robustness\": {\"perturbations\": [\"audio-drop\"],"
                + " \"levels\": [0, \"high\"]}}", "robustness.levels[1] must be a number"},
            {"{\"name\": \"g\", \"variants\": [{\"name\": \"v\"}], \"robustness\": {\"perturbations\": [\"audio-dorp\"],"
                + " \"levels\": [0]}}", "robustness.perturbations[0]: unknown perturbation 'audio-dorp'"},
        };
        for (String[] c : cases) {
            Path file = tmp.resolve("bad-grid.json");
            Files.writeString(file, c[0]);
            ConfigException e = assertThrows(ConfigException.class, () -> Grid.load(file.toString()), c[0]);
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(c[1]),
                    "expected '" + c[1] + "' in: " + e.getMessage());
        }
    }

    @Test
    void aFinishedRunIsReusedOnlyIfItHasTheSweepsLevels() throws IOException {
        Grid grid = Grid.load("smoke-robustness");
        Grid.RunSpec spec = grid.expand().get(0);
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(dir.resolve("config.json"), ConfigJson.toJson(spec.config()));
        RunOptions options = grid.options(spec);
        StringBuilder csv = new StringBuilder("perturbation,level,mae\n");
        for (var kind : options.robustness()) {
            for (double level : options.levels()) {
                csv.append(kind.key()).append(',').append(Robustness.level(level)).append(",0.5\n");
            }
        }
        Files.writeString(dir.resolve("robustness.csv"), csv.toString());
        ReuseCheck.check(dir, spec.config(), options); // all there: reused
        Files.writeString(dir.resolve("robustness.csv"), csv.substring(0, csv.lastIndexOf("\n", csv.length() - 2) + 1));
        ConfigException e = assertThrows(ConfigException.class, () -> ReuseCheck.check(dir, spec.config(), options));
        assertTrue(e.getMessage().contains("robustness.csv") && e.getMessage().contains("without robustness"), e.getMessage());
    }

    @Test
    void aRunFinishedMeanwhileByAnotherProcessIsKept() throws IOException {
        Path target = tmp.resolve("grid/v/seed-1");
        RunDirectory first = RunDirectory.start(tmp.resolve("grid/v"), "seed-1");
        first.write("metrics.json", "{\"mae\": 1}");
        RunDirectory second = RunDirectory.start(tmp.resolve("grid/v"), "seed-1");
        second.write("metrics.json", "{\"mae\": 2}");
        assertEquals(target, first.commitTo(target));
        assertEquals(target, second.commitTo(target), "losing the race is not an error");
        assertEquals("{\"mae\": 1}", Files.readString(target.resolve("metrics.json")), "the first run is kept");
        assertFalse(Files.exists(tmp.resolve("grid/v").resolve(RunDirectory.STAGING)), "nothing staged is left");
    }

    private static int finished(Path root) throws IOException {
        Path dir = root.resolve("smoke").resolve("synthetic-tiny");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir, 2)) {
            return (int) walk.filter(p -> p.getFileName().toString().startsWith("seed-") && Files.isDirectory(p)).count();
        }
    }

    /** A results tree written by hand: the ablation table must show the hand-computed statistics. */
    @Test
    void ablationTableAggregatesBySeed() throws IOException {
        Path root = tmp.resolve("fake");
        double[] full = {0.731, 0.745, 0.752, 0.739, 0.760};
        double[] other = {0.742, 0.751, 0.768, 0.741, 0.779};
        for (int s = 0; s < 5; s++) {
            fakeRun(root, "full", 1111 + s, full[s]);
            fakeRun(root, "other", 1111 + s, other[s]);
        }
        Files.writeString(root.resolve("g").resolve("grid.json"), "{\"name\": \"g\", \"variants\": [\"full\", \"other\","
                + " \"alias\"], \"same_as\": {\"alias\": \"full\"}, \"reference\": \"full\", \"robustness_reference\": null}");
        ExperimentReport.write(root);
        String md = Files.readString(root.resolve("tables").resolve("g-d-ablation.md"));
        String fullCell = String.format(java.util.Locale.ROOT, "%.3f ± %.3f", Stats.mean(full), Stats.std(full));
        assertTrue(md.contains("| full | 5 | **" + fullCell + "** |"), md);
        assertTrue(md.contains("| alias | 5 | **" + fullCell + "** |"), "same_as rows reuse the runs: " + md);
        assertTrue(md.contains("| other | 5 | 0.756 ± 0.017 |"), "other: mean 0.7562, std sqrt(0.001119 / 4) = 0.0167");
        // corr = 1 - mae: higher is better, so the lower-MAE variant is bold there too
        assertTrue(md.contains("| full | 5 | **" + fullCell + "** | **0.255 ± 0.011** |"), md);
        assertTrue(md.contains("| other | 5 | 0.756 ± 0.017 | 0.244 ± 0.017 |"), md);
        String diff = Files.readString(root.resolve("tables").resolve("g-d-ablation-vs-full.md"));
        assertTrue(diff.contains("**+0.011 [+0.002, +0.019] (p=0.026)**"),
                "scipy: mean difference 0.0108, t.ppf(0.975, 4) * sd / sqrt(5) = 0.0087, ttest_rel p = 0.0258: " + diff);
    }

    /** A variant planned with fewer seeds: the table says so, and counts only its own seeds as missing. */
    @Test
    void ablationTableSaysWhichVariantsHaveFewerSeeds() throws IOException {
        Path root = tmp.resolve("fewer");
        for (int s = 0; s < 3; s++) {
            fakeRun(root, "full", 1111 + s, 0.7 + 0.01 * s);
        }
        fakeRun(root, "slow", 1111, 0.8);
        fakeRun(root, "slow", 1112, 0.81);
        String grid = "{\"name\": \"g\", \"variants\": [\"full\", \"slow\"], \"same_as\": {}, \"reference\": \"full\","
                + " \"robustness_reference\": null, \"seeds\": [1111, 1112, 1113]%s}";
        Files.writeString(root.resolve("g").resolve("grid.json"), String.format(grid, ", \"variant_seeds\": {\"slow\": 2}"));
        String md = ExperimentReport.of(root).ablationTable("g", "d").markdown();
        assertTrue(md.contains("the first of the grid's seeds: slow: 2."), md);
        assertFalse(md.contains("Incomplete"), "slow has the 2 seeds planned for it: " + md);
        Files.writeString(root.resolve("g").resolve("grid.json"), String.format(grid, ""));
        md = ExperimentReport.of(root).ablationTable("g", "d").markdown();
        assertTrue(md.contains("Incomplete: 1 of 6 variant-seed results are missing"), md);
    }

    private static void fakeRun(Path root, String variant, long seed, double mae) throws IOException {
        Path dir = root.resolve("g").resolve("d").resolve(variant).resolve("seed-" + seed);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"seed\": " + seed + ", \"provenance\": {\"experiment\": {\"grid\":"
                + " \"g\", \"dataset\": \"d\", \"variant\": \"" + variant + "\", \"seed\": \"" + seed + "\"}}}");
        StringBuilder m = new StringBuilder("{");
        for (String key : org.mecam.eval.SentimentMetrics.KEYS) {
            m.append('"').append(key).append("\": ").append(key.equals("mae") ? mae : key.equals("corr") ? 1 - mae : 0.5)
                    .append(", ");
        }
        m.append("\"best_epoch\": 1}");
        Files.writeString(dir.resolve("metrics.json"), m.toString());
    }

    @Test
    @Tag("integration")
    void workersAreStartedThroughTheInjectedLauncher() throws Exception {
        Path root = tmp.resolve("launched");
        List<Integer> shards = new java.util.concurrent.CopyOnWriteArrayList<>();
        WorkerLauncher recording = (ref, dir, shard, of) -> {
            shards.add(shard);
            assertEquals(2, of);
            return WorkerLauncher.localJvms(1).start(ref, dir, shard, of);
        };
        GridRunner.Summary s = GridRunner.run(Grid.load("smoke-negative-fraction"), "smoke-negative-fraction", root, 2,
                recording, null);
        assertTrue(s.succeeded(), s.failures().toString());
        assertEquals(List.of(0, 1), shards.stream().sorted().toList());
        assertEquals(8, ResultStore.scan(root).runs().size(), "the two workers ran every run once");
    }

    /**
     * A grid with workers waits, once its workers exited, for the runs another grid holds, and
     * runs one here when its holder stopped without finishing it; a run no one holds that the
     * workers left (here: workers that do nothing) is not tried again.
     */
    @Test
    @Tag("integration")
    void aGridWithWorkersRunsWhatAnotherGridLeftUnfinished() throws Exception {
        TestSupport.start();
        Path root = tmp.resolve("others");
        Grid g = Grid.load("smoke").scaled(1, 0, List.of(1111L));
        Path held = g.expand().get(0).dir(root, g.name());
        WorkerLauncher idle = (ref, dir, shard, of) -> new ProcessBuilder("true").start();
        RunClaim claim = RunClaim.tryClaim(held);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var grid = pool.submit(() -> GridRunner.run(g, "smoke", root, 2, idle, null, GridRunner.Others.WAIT));
            Thread.sleep(3 * RunClaim.POLL_MILLIS);
            assertFalse(grid.isDone(), "waits for the run the other grid holds");
            claim.close(); // the other grid stops without finishing it
            GridRunner.Summary s = grid.get(300, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(s.succeeded(), s.failures().toString());
            assertEquals(1, s.ran(), "the released run, here");
            assertTrue(Files.isDirectory(held));
            assertFalse(Files.exists(g.expand().get(1).dir(root, g.name())), "a run the workers left is not retried");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stagingLeftByDeadProcessesIsRemovedByTheNextRun() throws Exception {
        Path root = tmp.resolve("staging-root");
        Path staging = Files.createDirectories(root.resolve(RunDirectory.STAGING));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "_");
        Path dead = Files.createDirectories(staging.resolve("run-a@" + host + "-" + gone.pid() + "-0000aaaa"));
        Files.writeString(dead.resolve("metrics.json"), "{}");
        Path live = Files.createDirectories(staging.resolve("run-b@" + host + "-" + ProcessHandle.current().pid() + "-0000bbbb"));
        Path otherHost = Files.createDirectories(staging.resolve("run-c@elsewhere-" + gone.pid() + "-0000cccc"));
        RunDirectory d = RunDirectory.start(root, "run-d");
        assertFalse(Files.exists(dead), "a killed process's staging directory is removed");
        assertTrue(Files.isDirectory(live), "a live process's staging directory is kept");
        assertTrue(Files.isDirectory(otherHost), "another host's staging directory is kept (shared results roots)");
        d.abandon();
    }

    /**
     * A run claimed by another live process (here: this test's thread) is never started a second
     * time: the grid waits for it and counts it as finished when its holder finished it, runs it
     * when its holder left it unfinished, and with {@code Others.LEAVE} leaves it; never a failure.
     */
    @Test
    @Tag("integration")
    void aClaimedRunIsWaitedForNotRunTwice() throws Exception {
        TestSupport.start();
        Path root = tmp.resolve("claimed");
        Grid g = Grid.load("smoke");
        Path target = g.expand().get(0).dir(root, g.name());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            RunClaim claim = RunClaim.tryClaim(target);
            assertTrue(claim != null);
            assertEquals(null, RunClaim.tryClaim(target), "a second claim while the first is held");
            var waiting = pool.submit(() -> GridRunner.runIndices(g, root, List.of(0), null));
            Thread.sleep(3 * RunClaim.POLL_MILLIS);
            assertFalse(waiting.isDone(), "waits while the other process holds the run");
            Files.createDirectories(target); // the holder finishes the run ...
            claim.close(); // ... and releases it
            GridRunner.Summary s = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of(0, 1, List.of()), List.of(s.ran(), s.skipped(), s.failures()), "finished by its holder");
            Files.delete(target);

            claim = RunClaim.tryClaim(target);
            GridRunner.Summary left = GridRunner.run(g.scaled(0, 0, List.of(1111L)), "smoke", root, 1, null,
                    GridRunner.Others.LEAVE);
            assertTrue(left.succeeded(), "left to its holder, not a failure: " + left.failures());
            assertFalse(Files.exists(target));
            waiting = pool.submit(() -> GridRunner.runIndices(g, root, List.of(0), null));
            Thread.sleep(3 * RunClaim.POLL_MILLIS);
            claim.close(); // the holder stops without finishing it: the waiting grid runs it
            s = waiting.get(300, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of(1, List.of()), List.of(s.ran(), s.failures()));
            assertTrue(Files.isDirectory(target));
        } finally {
            pool.shutdownNow();
        }
        try (RunClaim again = RunClaim.tryClaim(target)) {
            assertTrue(again != null, "released when closed");
        }
    }

    /** Workers share the runs as a queue: a run another worker holds is its share, not a failure. */
    @Test
    @Tag("integration")
    void aWorkerTakesTheRunsNoOtherWorkerHolds() throws Exception {
        TestSupport.start();
        Path root = tmp.resolve("queue");
        Grid g = Grid.load("smoke").scaled(0, 0, List.of(1111L));
        Path held = g.expand().get(1).dir(root, g.name());
        try (RunClaim claim = RunClaim.tryClaim(held)) {
            assertTrue(claim != null);
            GridRunner.Summary s = GridRunner.runShard(g, root, 1, 2, null);
            assertTrue(s.succeeded(), "the held run is the other worker's: " + s.failures());
            assertEquals(g.expand().size() - 1, s.ran(), "worker 1 of 2 takes every run but the held one");
            assertFalse(Files.exists(held));
        }
        assertThrows(ConfigException.class, () -> GridRunner.runShard(g, root, 2, 2, null));
    }

    @Test
    @Tag("integration")
    void localWorkersDieWithTheirGridProcess() throws Exception {
        Path root = tmp.resolve("orphans");
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "org.mecam.cli.Main", "ablate", "--grid", "smoke", "--workers", "2",
                "--results", root.toString(), "--no-report"));
        Process grid = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("orphans.log").toFile())
                .start();
        List<ProcessHandle> workers = List.of();
        for (int i = 0; i < 600 && workers.size() < 2; i++) {
            Thread.sleep(100);
            workers = grid.children().filter(p -> p.info().command().orElse("").endsWith("java")).toList();
        }
        assertEquals(2, workers.size(), "two worker processes started");
        grid.destroyForcibly(); // SIGKILL: the grid process cannot stop its workers itself
        grid.waitFor();
        for (ProcessHandle w : workers) {
            assertTrue(w.onExit().get(30, TimeUnit.SECONDS) != null && !w.isAlive(), "worker " + w.pid() + " outlived its grid");
        }
    }

    @Test
    void aResumedGridComputesItsNewRunsWithTheModesOfItsFinishedOnes(@TempDir Path tmp)
            throws IOException {
        Path grid = tmp.resolve("my-grid");
        org.mecam.config.RunConfig asked = new org.mecam.config.RunConfig();
        asked.mklKernels = "avx512";
        asked.dropoutMasks = "auto";
        asked.attentionKernel = "factored";
        asked.lstmKernel = "training";
        org.junit.jupiter.api.Assertions.assertSame(asked, GridRunner.withGridsRecordedModes(asked, grid), "no runs yet");
        Path seed = Files.createDirectories(grid.resolve("synthetic-mosi").resolve("full").resolve("seed-1111"));
        Files.writeString(seed.resolve("config.json"), "{\"seed\": 1111, \"provenance\": {\"runtime\": {}}}");
        org.mecam.config.RunConfig resumed = GridRunner.withGridsRecordedModes(asked, grid);
        assertEquals("vendor", resumed.mklKernels, "a run from before the key was computed with MKL's own kernels");
        assertEquals("libtorch", resumed.dropoutMasks, "and with libtorch's dropout masks");
        assertEquals("direct", resumed.attentionKernel, "and with the attention computed op by op");
        assertEquals("capped", resumed.lstmKernel, "and with oneDNN capped at AVX2");
        assertEquals("avx512", asked.mklKernels, "the grid's own config is left as it is");
        assertEquals("auto", asked.dropoutMasks, "the grid's own config is left as it is");
        Files.writeString(seed.resolve("config.json"), "{\"mklKernels\": \"avx512\", \"dropoutMasks\": \"kit\","
                + " \"attentionKernel\": \"factored\", \"lstmKernel\": \"training\", \"provenance\": {}}");
        assertEquals("factored", GridRunner.withGridsRecordedModes(asked, grid).attentionKernel);
        assertEquals("training", GridRunner.withGridsRecordedModes(asked, grid).lstmKernel);
        assertEquals("avx512", GridRunner.withGridsRecordedModes(asked, grid).mklKernels);
        assertEquals("kit", GridRunner.withGridsRecordedModes(asked, grid).dropoutMasks);
    }
}
