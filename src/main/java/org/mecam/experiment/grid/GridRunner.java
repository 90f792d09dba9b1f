package org.mecam.experiment.grid;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.IoFailure;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.engine.Interruption;
import org.mecam.engine.NativeRuntime;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunResult;
import org.mecam.experiment.run.ReuseCheck;
import org.mecam.experiment.run.ReusedRun;
import org.mecam.experiment.run.RunFiles;
import org.mecam.train.TrainingProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Grid}: every run writes its own directory ({@code <root>/<grid>/<dataset>/<variant>/seed-N})
 * atomically, so a run directory exists only when its run finished; re-running the grid skips
 * them. Several worker processes can share the work: each takes the next run that none holds.
 *
 * <p>This class schedules the runs; {@link ReuseCheck} decides whether a finished run directory
 * can stay, {@link DataCache} shares loaded data between runs, {@link GridSpecFile} writes
 * {@code grid.json} for reports.
 */
public final class GridRunner {

    private static final Logger LOG = LoggerFactory.getLogger(GridRunner.class);

    private GridRunner() {}

    /**
     * What a grid process does with one of its runs that another live process is running (a
     * second grid on the same results root, a Slurm job, another user's command).
     */
    public enum Others {
        /** wait until the other process finishes it (then count it as finished, or run it if it left none) */
        WAIT,
        /** leave it to the other process: neither run nor counted as failed */
        LEAVE
    }

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
        return run(grid, gridRef, root, workers, WorkerLauncher.localJvms(workerThreads(workers)), listener, Others.WAIT);
    }

    /** As {@link #run(Grid, String, Path, int, TrainingProgress)}, saying what to do with runs another process holds. */
    public static Summary run(Grid grid, String gridRef, Path root, int workers, TrainingProgress listener,
            Others others) throws IOException, InterruptedException {
        return run(grid, gridRef, root, workers, WorkerLauncher.localJvms(workerThreads(workers)), listener, others);
    }

    /**
     * Runs a grid's pending runs, in this process or in {@code workers} processes that
     * {@code launcher} starts.
     *
     * @param gridRef the grid's file or built-in name, passed to worker processes
     */
    public static Summary run(Grid grid, String gridRef, Path root, int workers, WorkerLauncher launcher,
            TrainingProgress listener) throws IOException, InterruptedException {
        return run(grid, gridRef, root, workers, launcher, listener, Others.WAIT);
    }

    /**
     * As {@link #run(Grid, String, Path, int, WorkerLauncher, TrainingProgress)}; runs that another
     * process (not one of this grid's workers) holds are waited for or left to it, never counted
     * as failed.
     */
    public static Summary run(Grid grid, String gridRef, Path root, int workers, WorkerLauncher launcher,
            TrainingProgress listener, Others others) throws IOException, InterruptedException {
        List<Grid.RunSpec> runs = grid.expand();
        List<Grid.RunSpec> pendingRuns = new ArrayList<>();
        for (Grid.RunSpec r : runs) {
            if (Files.isDirectory(r.dir(root, grid.name()))) {
                ReuseCheck.check(r.dir(root, grid.name()), r.config(), grid.options(r));
            } else {
                pendingRuns.add(r);
            }
        }
        int pending = pendingRuns.size();
        WorkerMemory.check(grid, root, pendingRuns, Math.min(workers, pending));
        LOG.info("grid {}: {} runs, {} finished, {} to run{}", grid.name(), runs.size(), runs.size() - pending, pending,
                workers > 1 ? " in " + workers + " worker processes" : "");
        writeSpec(grid, gridRef, root);
        if (workers <= 1 || pending <= 1) {
            return runIndices(grid, root, allIndices(grid), listener, false, others);
        }
        List<Process> processes = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        String[] errors = new String[workers];
        for (int w = 0; w < workers; w++) {
            Process p = launcher.start(gridRef, root, w, workers);
            int worker = w;
            // copied rather than inherited, so that a notebook cell shows the workers' progress; a
            // worker's "error:" line is kept, to be said once by this process
            pumps.add(WorkerLauncher.pump(p.getInputStream(), System.out, "grid-worker-" + w + "-out", null));
            pumps.add(WorkerLauncher.pump(p.getErrorStream(), System.err, "grid-worker-" + w + "-err", line -> errors[worker] = line));
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
        if (others == Others.WAIT) {
            failures.addAll(awaitOthers(grid, root, runs, listener));
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
        return runIndices(grid, root, allIndices(grid), listener, of > 1, Others.WAIT);
    }

    /** @return what to say once when another live process holds a run this process waits for */
    private static Runnable waiting(Grid grid, Grid.RunSpec spec) {
        return () -> LOG.info("grid {}: {} / seed {} is being run by another live process: waiting for it (not run twice)",
                grid.name(), spec.variant(), spec.seed());
    }

    private static List<Integer> allIndices(Grid grid) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < grid.expand().size(); i++) {
            indices.add(i);
        }
        return indices;
    }

    /**
     * After this grid's workers exited: waits for each run without a directory that another live
     * process (another grid) holds, and runs it here if its holder stopped without finishing it.
     * Runs no one holds are left as the workers left them (a run that failed in a worker is not
     * tried twice).
     *
     * @return the failures of the runs run here
     */
    private static List<String> awaitOthers(Grid grid, Path root, List<Grid.RunSpec> runs, TrainingProgress listener)
            throws IOException {
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Path target = runs.get(i).dir(root, grid.name());
            if (Files.isDirectory(target)) {
                continue;
            }
            try (RunClaim claim = RunClaim.tryClaim(target)) {
                if (claim == null) {
                    held.add(i);
                }
            }
        }
        List<String> failures = new ArrayList<>();
        DataCache data = new DataCache();
        for (int i : held) {
            attempt(grid, root, runs, i, true, data, listener, failures, new int[2]);
        }
        return failures;
    }

    /**
     * Runs the runs at the given positions of {@link Grid#expand()} that have no directory yet,
     * here (what a Slurm array task does with its task id).
     */
    public static Summary runIndices(Grid grid, Path root, List<Integer> indices, TrainingProgress listener) {
        return runIndices(grid, root, indices, listener, false, Others.WAIT);
    }

    /**
     * @param queue whether a run another process holds is someone else's share of the queue
     *     (skipped: this is one of several workers) rather than a run this process was asked for
     * @param others what to do with a run this process was asked for that another process holds
     */
    private static Summary runIndices(Grid grid, Path root, List<Integer> indices, TrainingProgress listener,
            boolean queue, Others others) {
        List<Grid.RunSpec> runs = grid.expand();
        DataCache data = new DataCache();
        List<String> failures = new ArrayList<>();
        int[] counts = new int[2]; // skipped, ran
        List<Integer> heldByOthers = new ArrayList<>();
        for (int i : indices) {
            if (i < 0 || i >= runs.size()) {
                throw new ConfigException("grid " + grid.name() + ": no run " + i + " (it has " + runs.size() + ")");
            }
            if (!attempt(grid, root, runs, i, false, data, listener, failures, counts) && !queue) {
                heldByOthers.add(i); // a worker leaves it to its fellow workers; the parent waits for other grids'
            }
        }
        for (int i : heldByOthers) {
            if (others == Others.LEAVE) {
                LOG.info("grid {}: {} / seed {} is being run by another live process: left to it", grid.name(),
                        runs.get(i).variant(), runs.get(i).seed());
            } else {
                attempt(grid, root, runs, i, true, data, listener, failures, counts);
            }
        }
        return new Summary(runs.size(), counts[0], counts[1], failures);
    }

    /**
     * Runs run {@code i} unless it is finished ({@code counts[0]}++) or, when not {@code wait},
     * another live process holds it.
     *
     * @return false when another process holds it and this one did not wait
     */
    private static boolean attempt(Grid grid, Path root, List<Grid.RunSpec> runs, int i, boolean wait, DataCache data,
            TrainingProgress listener, List<String> failures, int[] counts) {
        Grid.RunSpec spec = runs.get(i);
        Path target = spec.dir(root, grid.name());
        if (Files.isDirectory(target)) {
            ReuseCheck.check(target, spec.config(), grid.options(spec));
            counts[0]++;
            return true;
        }
        Interruption.check();
        try (RunClaim claim = wait ? RunClaim.await(target, waiting(grid, spec)) : RunClaim.tryClaim(target)) {
            if (claim == null) {
                return false;
            }
            if (Files.isDirectory(target)) { // finished meanwhile by the process that held the claim
                counts[0]++;
                return true;
            }
            LOG.info("grid {}: run {}/{}: {} / {} / seed {}", grid.name(), i + 1, runs.size(), spec.dataset(),
                    spec.variant(), spec.seed());
            if (runOne(grid, spec, root, target, data, listener, failures)) {
                counts[1]++;
            }
            return true;
        } catch (IOException e) {
            throw IoFailure.wrap("grid " + grid.name() + ": cannot claim " + target, e);
        }
    }

    /**
     * A grid computes its runs with the MKL kernels, dropout masks and attention kernel of its
     * finished runs ({@code vendor}, {@code libtorch} and {@code direct} for runs made before runs
     * recorded them), so that resuming a grid made with other modes does not mix them: MKL's modes
     * and the attention kernels differ in the last bits ({@link org.mecam.engine.MklKernels},
     * {@link org.mecam.model.AttentionKernel}), the masks in their draws
     * ({@link org.mecam.model.DropoutMasks}).
     *
     * @return {@code c}, or a copy with the finished runs' modes
     */
    static RunConfig withGridsRecordedModes(RunConfig c, Path gridDir) {
        RunConfig recorded = recordedConfig(gridDir);
        if (recorded == null) {
            return c;
        }
        Map<String, String> theirs = new LinkedHashMap<>();
        for (String key : ConfigJson.addedRuntimeKeys()) {
            String value = ConfigJson.runtimeValue(recorded, key);
            if (!value.equals(ConfigJson.runtimeValue(c, key))) {
                theirs.put(key, value);
            }
        }
        if (theirs.isEmpty()) {
            return c;
        }
        RunConfig copy = c.copy();
        theirs.forEach((key, value) -> ConfigJson.setFromString(copy, key, value));
        LOG.info("grid {}: its finished runs used {}, so this run does too", gridDir.getFileName(), theirs);
        return copy;
    }

    /** @return the configuration of a finished run under {@code gridDir} (dataset/variant/seed), or null when none */
    static RunConfig recordedConfig(Path gridDir) {
        if (!Files.isDirectory(gridDir)) {
            return null;
        }
        try (java.util.stream.Stream<Path> files = Files.find(gridDir, 4,
                (p, a) -> a.isRegularFile() && p.getFileName().toString().equals(RunFiles.CONFIG))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    return ConfigJson.fromJson(Files.readString(f), f.toString());
                } catch (IOException | RuntimeException e) {
                    // an unreadable config: ReuseCheck names it when the grid reaches that run
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
        return null;
    }

    /**
     * Runs one run of the grid into {@code target}; a run that fails for a reason of its own is
     * added to {@code failures} and the grid goes on, while a bad configuration, an interrupt and
     * an I/O failure (which would stop every later run too) stop the grid.
     *
     * @return whether the run finished (with metrics or not)
     */
    private static boolean runOne(Grid grid, Grid.RunSpec spec, Path root, Path target,
            DataCache data, TrainingProgress listener, List<String> failures) {
        RunConfig c = withGridsRecordedModes(spec.config(), root.resolve(Grid.slug(grid.name())));
        try {
            NativeRuntime.start(c.threads, c.mklKernels, c.lstmKernel);
            MultimodalDataset d = data.get(c);
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

    /** Records the grid's specification next to its runs, for reports ({@link GridSpecFile}). */
    static void writeSpec(Grid grid, String gridRef, Path root) throws IOException {
        GridSpecFile.write(grid, gridRef, root);
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
