package org.mecam.experiment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.IoFailure;
import org.mecam.config.RunConfig;
import org.mecam.engine.Interruption;
import org.mecam.engine.NativeRuntime;
import org.mecam.train.TrainingProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;

/**
 * Runs a {@link Grid}: every run writes its own directory ({@code <root>/<grid>/<dataset>/<variant>/seed-N})
 * atomically, so a run directory exists only when its run finished; re-running the grid skips
 * them. Several worker processes can share the work: each takes the next run that none holds.
 */
public final class GridRunner {

    private static final Logger LOG = LoggerFactory.getLogger(GridRunner.class);

    private GridRunner() {}

    /** What a grid invocation did. */
    public record Summary(int total, int skipped, int ran, List<String> failures) {

        public boolean succeeded() {
            return failures.isEmpty();
        }
    }

    /**
     * Runs the grid's pending runs, in this process or in {@code workers} worker processes.
     *
     * @param gridRef the grid's file or built-in name, passed to worker processes
     */
    public static Summary run(Grid grid, String gridRef, Path root, int workers, TrainingProgress listener)
            throws IOException, InterruptedException {
        return run(grid, gridRef, root, workers, WorkerLauncher.localJvms(workerThreads(workers)), listener);
    }

    /**
     * Runs a grid's pending runs, in this process or in {@code workers} processes that
     * {@code launcher} starts.
     *
     * @param gridRef the grid's file or built-in name, passed to worker processes
     */
    public static Summary run(Grid grid, String gridRef, Path root, int workers, WorkerLauncher launcher,
            TrainingProgress listener) throws IOException, InterruptedException {
        List<Grid.RunSpec> runs = grid.expand();
        int pending = (int) runs.stream().filter(r -> !Files.isDirectory(r.dir(root, grid.name()))).count();
        for (Grid.RunSpec r : runs) {
            if (Files.isDirectory(r.dir(root, grid.name()))) {
                checkReusable(r.dir(root, grid.name()), r.config(), grid.options(r));
            }
        }
        LOG.info("grid {}: {} runs, {} finished, {} to run{}", grid.name(), runs.size(), runs.size() - pending, pending,
                workers > 1 ? " in " + workers + " worker processes" : "");
        writeSpec(grid, gridRef, root);
        if (workers <= 1 || pending <= 1) {
            return runShard(grid, root, 0, 1, listener);
        }
        List<Process> processes = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        String[] errors = new String[workers];
        for (int w = 0; w < workers; w++) {
            Process p = launcher.start(gridRef, root, w, workers);
            int worker = w;
            // copied rather than inherited, so that a notebook cell shows the workers' progress; a
            // worker's "error:" line is kept, to be said once by this process
            pumps.add(pump(p.getInputStream(), System.out, "grid-worker-" + w + "-out", null));
            pumps.add(pump(p.getErrorStream(), System.err, "grid-worker-" + w + "-err", line -> errors[worker] = line));
            processes.add(p);
        }
        List<String> failures = new ArrayList<>();
        // SIGTERM / SIGINT of this process: the workers are stopped the same way (their own hooks
        // remove their unfinished runs) rather than finding out that their parent is gone
        Thread stopWorkers = new Thread(() -> processes.forEach(p -> {
            p.destroy();
            try {
                p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "stop-grid-workers");
        Runtime.getRuntime().addShutdownHook(stopWorkers);
        try {
            boolean[] reported = new boolean[workers];
            for (int left = workers; left > 0; ) {
                Interruption.check();
                for (int w = 0; w < workers; w++) {
                    Process p = processes.get(w);
                    if (reported[w] || p.isAlive()) {
                        continue;
                    }
                    reported[w] = true;
                    left--;
                    pumps.get(2 * w + 1).join(5000); // its last lines
                    if (p.exitValue() == EXIT_IO) {
                        // the same wall stops every worker: stop them all now, keep what is finished
                        throw IoFailure.wrap("stopped at an I/O failure in worker " + w,
                                new IOException(errors[w] == null ? "exit code 4" : errors[w].substring("error: ".length())));
                    }
                    if (p.exitValue() != 0) {
                        failures.add("worker " + w + " exited with code " + p.exitValue()
                                + (errors[w] == null ? "" : ": " + errors[w].substring("error: ".length())));
                    }
                }
                if (left > 0) {
                    Thread.sleep(200);
                }
            }
            for (Thread t : pumps) {
                t.join(5000); // the workers' last lines, before the caller moves on
            }
        } finally {
            // an interrupted (or failed) wait must not leave workers training in the background
            for (Process p : processes) {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                }
            }
            for (Process p : processes) {
                p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopWorkers);
            } catch (IllegalStateException e) {
                // shutting down already: the hook is running
            }
        }
        int done = (int) runs.stream().filter(r -> Files.isDirectory(r.dir(root, grid.name()))).count();
        return new Summary(runs.size(), runs.size() - pending, done - (runs.size() - pending), failures);
    }

    /** Exit code of a worker stopped by an I/O failure (as the command line's). */
    static final int EXIT_IO = 4;

    /** @return the default intra-op threads of each of {@code workers} worker processes (shared: one each on small machines) */
    public static int workerThreads(int workers) {
        return Math.max(1, NativeRuntime.defaultThreads() / Math.max(1, workers));
    }

    /**
     * Worker {@code shard} of {@code of}: takes the grid's runs in order, each that has no
     * directory yet and that no other worker holds (its {@link RunClaim}), so that the workers
     * share the runs as a queue and finish together however long each run takes (one worker:
     * every run in order).
     */
    public static Summary runShard(Grid grid, Path root, int shard, int of, TrainingProgress listener) {
        if (shard < 0 || shard >= Math.max(1, of)) {
            throw new ConfigException("grid " + grid.name() + ": no worker " + shard + " of " + of);
        }
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < grid.expand().size(); i++) {
            indices.add(i);
        }
        return runIndices(grid, root, indices, listener, of > 1);
    }

    /**
     * Runs the runs at the given positions of {@link Grid#expand()} that have no directory yet,
     * here (what a Slurm array task does with its task id).
     */
    public static Summary runIndices(Grid grid, Path root, List<Integer> indices, TrainingProgress listener) {
        return runIndices(grid, root, indices, listener, false);
    }

    /**
     * @param queue whether a run another process holds is someone else's share of the queue
     *     (skipped) rather than a run this process was asked for (a failure)
     */
    private static Summary runIndices(Grid grid, Path root, List<Integer> indices, TrainingProgress listener,
            boolean queue) {
        List<Grid.RunSpec> runs = grid.expand();
        Map<String, MultimodalDataset> data = new HashMap<>();
        List<String> failures = new ArrayList<>();
        int skipped = 0;
        int ran = 0;
        for (int i : indices) {
            if (i < 0 || i >= runs.size()) {
                throw new ConfigException("grid " + grid.name() + ": no run " + i + " (it has " + runs.size() + ")");
            }
            Grid.RunSpec spec = runs.get(i);
            Path target = spec.dir(root, grid.name());
            if (Files.isDirectory(target)) {
                checkReusable(target, spec.config(), grid.options(spec));
                skipped++;
                continue;
            }
            Interruption.check();
            try (RunClaim claim = RunClaim.tryClaim(target)) {
                if (claim == null && queue) {
                    continue; // another worker's
                }
                if (claim == null) {
                    LOG.warn("grid {}: {} / seed {} is being run by another live process: not run twice", grid.name(),
                            spec.variant(), spec.seed());
                    failures.add(spec.variant() + " / seed " + spec.seed() + ": being run by another process");
                    continue;
                }
                if (Files.isDirectory(target)) { // finished meanwhile by the process that held the claim
                    skipped++;
                    continue;
                }
                LOG.info("grid {}: run {}/{}: {} / {} / seed {}", grid.name(), i + 1, runs.size(), spec.dataset(),
                        spec.variant(), spec.seed());
                if (runOne(grid, spec, root, target, data, listener, failures)) {
                    ran++;
                }
            } catch (IOException e) {
                throw IoFailure.wrap("grid " + grid.name() + ": cannot claim " + target, e);
            }
        }
        return new Summary(runs.size(), skipped, ran, failures);
    }

    /**
     * Runs one run of the grid into {@code target}; a run that fails for a reason of its own is
     * added to {@code failures} and the grid goes on, while a bad configuration, an interrupt and
     * an I/O failure (which would stop every later run too) stop the grid.
     *
     * @return whether the run finished (with metrics or not)
     */
    private static boolean runOne(Grid grid, Grid.RunSpec spec, Path root, Path target,
            Map<String, MultimodalDataset> data, TrainingProgress listener, List<String> failures) {
        RunConfig c = spec.config();
        try {
            NativeRuntime.start(c.threads);
            MultimodalDataset d = data.computeIfAbsent(dataKey(c), k -> Datasets.load(c));
            Path twin = ReusedRun.twin(root, root.resolve(Grid.slug(grid.name())), c);
            if (twin != null && ReusedRun.make(twin, c, d, target, grid.options(spec), root)) {
                LOG.info("grid {}: {} / seed {}: reused {} (same configuration, its checkpoint reproduces its test"
                        + " predictions), not trained again", grid.name(), spec.variant(), spec.seed(), root.relativize(twin));
                return true;
            }
            RunResult r = Experiments.run(c, d, listener, target, grid.options(spec));
            if (!r.succeeded()) {
                LOG.warn("grid {}: {} / seed {} stopped: {}", grid.name(), spec.variant(), spec.seed(),
                        r.training().failure().getMessage());
            }
            if (r.metrics() == null) {
                // kept (the same seed diverges the same way again) but reported: it has no metrics
                failures.add(spec.variant() + " / seed " + spec.seed() + ": no epoch finished with a finite loss, see "
                        + target.resolve("failure.json"));
            }
            return true;
        } catch (ConfigException | Interruption.InterruptedRunException e) {
            throw e;
        } catch (RuntimeException e) {
            if (IoFailure.is(e)) {
                throw IoFailure.wrap("grid " + grid.name() + ": " + spec.variant() + " / seed " + spec.seed(), e);
            }
            if ("1".equals(System.getenv("MECAM_DEBUG"))) {
                LOG.error("grid {}: run {} / seed {} failed", grid.name(), spec.variant(), spec.seed(), e);
            } else {
                LOG.error("grid {}: run {} / seed {} failed: {} (MECAM_DEBUG=1 shows the stack trace)", grid.name(),
                        spec.variant(), spec.seed(), IoFailure.describe(e));
            }
            failures.add(spec.variant() + " / seed " + spec.seed() + ": " + e);
            return false;
        }
    }

    /** Copies a worker's output line by line; its "error: " lines go to {@code errors} instead, when given. */
    private static Thread pump(java.io.InputStream from, java.io.PrintStream to, String name,
            java.util.function.Consumer<String> errors) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(from, java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (errors != null && line.startsWith("error: ")) {
                        errors.accept(line);
                    } else {
                        to.println(line);
                    }
                }
            } catch (IOException e) {
                // the worker is gone; its exit code tells
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Keys that do not change what a run computes. */
    private static final java.util.Set<String> NOT_COMPARED = java.util.Set.of("results", "threads", "device", "name",
            "provenance");

    /**
     * A finished run directory is kept only when it holds the configuration the grid asks for now;
     * otherwise (the grid file was edited, or smoke-scale runs sit where full ones should go) the
     * grid stops with the directory and the first differing key instead of mixing results.
     */
    static void checkReusable(Path dir, RunConfig expected, RunOptions options) {
        checkReusable(dir, expected);
        if (options.robustness().isEmpty()) {
            return;
        }
        Path file = dir.resolve(RunFiles.ROBUSTNESS);
        java.util.Set<String> want = new java.util.TreeSet<>();
        for (org.mecam.data.batch.Perturbation.Kind k : options.robustness()) {
            for (double level : options.levels()) {
                want.add(k.key() + " at " + Robustness.level(level));
            }
        }
        java.util.Set<String> have = new java.util.TreeSet<>();
        if (Files.isRegularFile(file)) {
            try {
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split(",", 3);
                    have.add(f[0] + " at " + f[1]);
                }
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(file + ": cannot read the robustness results of a finished run ("
                        + e.getMessage() + "); delete " + dir + " to run it again");
            }
        }
        if (!have.containsAll(want)) {
            java.util.Set<String> missing = new java.util.TreeSet<>(want);
            missing.removeAll(have);
            throw new ConfigException(file + ": this run was evaluated without robustness " + missing.iterator().next()
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : "")
                    + ", which the grid now asks for; delete the directory (or use another --results root) to run it again");
        }
    }

    static void checkReusable(Path dir, RunConfig expected) {
        Path file = dir.resolve(RunFiles.CONFIG);
        com.google.gson.JsonObject have;
        try {
            have = RunFiles.config(dir);
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": cannot read the configuration of a finished run (" + e.getMessage()
                    + "); delete " + dir + " to run it again");
        }
        com.google.gson.JsonObject want = ConfigJson.GSON.toJsonTree(expected).getAsJsonObject();
        com.google.gson.JsonObject defaults = ConfigJson.GSON.toJsonTree(new RunConfig()).getAsJsonObject();
        for (String key : want.keySet()) {
            // a key that a run made by an older version lacks matches while the grid asks for its default:
            // new settings are added with defaults that keep the behaviour they had before they existed
            boolean addedSince = !have.has(key) && java.util.Objects.equals(want.get(key), defaults.get(key));
            if (!NOT_COMPARED.contains(key) && !addedSince && !java.util.Objects.equals(have.get(key), want.get(key))) {
                throw new ConfigException(file + ": this run was made with " + key + " = " + have.get(key)
                        + " but the grid now asks for " + key + " = " + want.get(key)
                        + "; delete the directory (or use another --results root) to run it again");
            }
        }
    }

    /** Runs sharing a dataset configuration share its loaded data within a process. */
    private static String dataKey(RunConfig c) {
        return String.join("|", c.dataset, c.preset.key(), c.path, c.labels, c.vocab, String.valueOf(c.dataSeed),
                String.valueOf(c.trainSize), String.valueOf(c.validSize), String.valueOf(c.testSize),
                String.valueOf(c.negativeFraction), String.valueOf(c.datasetLimit), c.textMode.key());
    }

    /** Records the grid's specification next to its runs, for reports. */
    static void writeSpec(Grid grid, String gridRef, Path root) throws IOException {
        Path dir = root.resolve(Grid.slug(grid.name()));
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".grid", ".json");
        Map<String, Object> spec = new java.util.LinkedHashMap<>();
        spec.put("name", grid.name());
        spec.put("source", gridRef);
        spec.put("description", grid.description());
        spec.put("reference", grid.reference());
        List<String> order = new ArrayList<>();
        Map<String, String> sameAs = new java.util.LinkedHashMap<>();
        Map<String, Integer> fewer = new java.util.LinkedHashMap<>();
        for (Grid.Variant v : grid.variants()) {
            order.add(v.name());
            if (v.sameAs() != null) {
                sameAs.put(v.name(), v.sameAs());
            } else if (grid.seeds(v) < grid.seeds().size()) {
                fewer.put(v.name(), grid.seeds(v));
            }
        }
        spec.put("variants", order);
        spec.put("same_as", sameAs);
        spec.put("seeds", grid.seeds());
        if (!fewer.isEmpty()) {
            spec.put("variant_seeds", fewer); // absent when every variant runs every seed (older grid.json files)
        }
        spec.put("robustness_reference", grid.sweep() == null ? null : grid.sweep().reference());
        Files.writeString(tmp, ConfigJson.GSON.toJson(spec));
        Files.move(tmp, dir.resolve("grid.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return java, this JVM's -X / -D options and -cp with this classpath */
    public static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-X") || arg.startsWith("-D")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }
}
