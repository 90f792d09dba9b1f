package org.mecam.bench;

import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mecam.config.ConfigJson;
import org.mecam.engine.NativeRuntime;
import org.mecam.experiment.grid.GridRunner;
import org.mecam.experiment.run.Provenance;
import org.mecam.experiment.run.RunDirectory;
import org.mecam.experiment.run.RunFiles;
import org.mecam.train.EpochStats;

/**
 * What {@code mecam bench} measures, each in fresh worker processes ({@link BenchWorker}; step
 * times are medians over processes x steps): training and evaluation steps per entry, the
 * glibc allocator's effect, loading dataset files at MOSI / MOSEI scale against Python's
 * {@code pickle.load}, the main job's wall time and the resident memory of a 40-epoch run; all
 * written as one JSON file with the targets each figure is held to.
 */
public final class BenchSuite {

    /** What to measure and how often; see {@code mecam bench --help}. */
    public record Settings(int processes, int steps, int warmup, int bertSteps, int threads, String device,
            boolean skipBert, boolean skipMainJob, boolean skipRss, boolean skipData, String python, int dataRepeats) {}

    /** Targets on a 2-core machine with one intra-op thread, unaligned shapes (ms). */
    public static final double TARGET_TRAIN_MS = 880;
    public static final double TARGET_EVAL_MS = 200;
    public static final double TARGET_CONCAT_TRAIN_MS = 345;
    public static final double TARGET_MAIN_JOB_S = 300;
    public static final double TARGET_RSS_CHANGE = 0.05;

    private final Settings s;
    private final List<String> mecam;
    private final PrintWriter log;
    private final PrintWriter out;

    /**
     * @param mecam the command users run the kit with (java -jar mecam.jar, or java -cp ... Main),
     *     for the main job and the memory run
     * @param log progress lines
     * @param out the summary
     */
    public BenchSuite(Settings settings, List<String> mecam, PrintWriter log, PrintWriter out) {
        this.s = settings;
        this.mecam = List.copyOf(mecam);
        this.log = log;
        this.out = out;
    }

    /** Runs every measurement and writes them to {@code file}. */
    public void run(Path file) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("mecam-bench");
        try {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("date", Instant.now().toString());
            result.put("versions", Provenance.versions());
            result.put("machine", Provenance.machine());
            result.put("runtime", NativeRuntime.start(s.threads()).toMap());
            result.put("device", s.device());
            result.put("method", "median over " + s.processes() + " processes x " + s.steps() + " steps after " + s.warmup()
                    + " warm-up steps; full-length batches (every token and frame valid) of 32 samples;"
                    + " training step = stage 0 + stage 1 with both optimizer steps, their values read back at its end;"
                    + " times exclude building the batch; run-ahead = mean over the same number of steps read back once"
                    + " at the end, on batches built beforehand (one value per process)");
            List<Map<String, Object>> entries = new ArrayList<>();
            for (String shape : new String[] {"mosi", "mosi-unaligned"}) {
                for (String fusion : new String[] {"attention", "concat"}) {
                    entries.add(entry(work, "features", fusion, shape, s.processes(), s.warmup(), s.steps(), Map.of()));
                }
                if (!s.skipBert()) {
                    entries.add(entry(work, "bert", "attention", shape, 1, 1, s.bertSteps(), Map.of()));
                }
            }
            result.put("entries", entries);
            Map<String, Object> untuned = entry(work, "features", "attention", "mosi-unaligned", 1, s.warmup(),
                    Math.max(5, s.steps() / 3), Map.of("MECAM_MALLOC_TUNING", "off"));
            result.put("allocator_untuned", untuned);
            List<Map<String, Object>> loading = s.skipData() ? List.of() : dataLoading(work);
            result.put("data_loading", loading);
            Map<String, Object> mainJob = s.skipMainJob() ? null : mainJob(work);
            Map<String, Object> rss = s.skipMainJob() || s.skipRss() ? null : rssRun(work);
            result.put("main_job", mainJob);
            result.put("rss_40_epochs", rss);
            List<Map<String, Object>> targets = "cpu".equals(s.device()) ? targets(entries, mainJob, rss) : new ArrayList<>();
            targets.addAll(dataTargets(loading));
            result.put("targets", targets);
            Files.writeString(file, ConfigJson.GSON.toJson(result), StandardCharsets.UTF_8);
            summary(out, entries, untuned, mainJob, rss);
            for (Map<String, Object> l : loading) {
                out.printf("load %s (%.1f GB): python %.2f s, java %.2f s (%.2f s reading every"
                        + " frame), heap peak %.0f MB for %.0f MB of arrays%n", l.get("shapes"),
                        (Double) l.get("file_bytes") / 1e9, l.get("python_pickle_load_median_s"), l.get("java_load_median_s"),
                        l.get("java_load_and_read_all_median_s"), (Double) l.get("java_heap_peak_max_bytes") / 1e6,
                        (Double) l.get("arrays_kept_bytes") / 1e6);
            }
            out.println(file.toAbsolutePath());
            out.flush();
        } finally {
            RunDirectory.deleteRecursively(work);
        }
    }

    private Map<String, Object> entry(Path work, String mode, String fusion, String shape, int procs,
            int warm, int n, Map<String, String> env) throws IOException, InterruptedException {
        String name = mode + "-" + fusion + "-" + shape + (env.isEmpty() ? "" : "-untuned-allocator");
        List<Double> train = new ArrayList<>();
        List<Double> eval = new ArrayList<>();
        List<Double> processTrain = new ArrayList<>();
        List<Double> processEval = new ArrayList<>();
        List<Double> processRunAhead = new ArrayList<>();
        Map<String, Object> last = null;
        for (int p = 0; p < procs; p++) {
            log.printf("bench %s: process %d/%d%n", name, p + 1, procs);
            log.flush();
            Path file = work.resolve(name + "-" + p + ".json");
            List<String> cmd = javaCommand();
            cmd.addAll(List.of(BenchWorker.class.getName(), "step", "--mode", mode, "--fusion", fusion, "--preset", shape,
                    "--warmup", String.valueOf(warm), "--steps", String.valueOf(n), "--threads", String.valueOf(s.threads()),
                    "--device", s.device(), "--out", file.toString()));
            exec(cmd, env, work.resolve(name + "-" + p + ".log"));
            JsonObject json = org.mecam.config.ConfigJson.parse(Files.readString(file)).getAsJsonObject();
            List<Double> t = doubles(json, "train_ms");
            List<Double> e = doubles(json, "eval_ms");
            train.addAll(t);
            eval.addAll(e);
            processTrain.add(StepBenchmark.median(t));
            processEval.add(StepBenchmark.median(e));
            processRunAhead.add(json.get("train_step_run_ahead_ms").getAsDouble());
            last = ConfigJson.GSON.fromJson(json, Map.class);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("mode", mode);
        m.put("fusion", fusion);
        m.put("shape", shape);
        m.put("batch", 32);
        m.put("processes", procs);
        m.put("steps_per_process", n);
        m.put("train_step_median_ms", StepBenchmark.median(train));
        m.put("eval_step_median_ms", StepBenchmark.median(eval));
        m.put("train_step_process_medians_ms", processTrain);
        m.put("eval_step_process_medians_ms", processEval);
        m.put("train_step_run_ahead_median_ms", StepBenchmark.median(processRunAhead));
        m.put("train_step_run_ahead_process_ms", processRunAhead);
        m.put("stage0_median_ms", last.get("stage0_median_ms"));
        m.put("stage1_median_ms", last.get("stage1_median_ms"));
        m.put("batch_build_median_ms", last.get("batch_build_median_ms"));
        if (!env.isEmpty()) {
            m.put("environment", env);
        }
        return m;
    }

    private List<Map<String, Object>> dataLoading(Path work) throws IOException, InterruptedException {
        String py = pythonWithNumpy();
        List<Map<String, Object>> out = new ArrayList<>();
        for (DataLoadBenchmark.Shapes shapes : List.of(DataLoadBenchmark.MOSI_UNALIGNED, DataLoadBenchmark.MOSEI_UNALIGNED)) {
            Path file = work.resolve(shapes.name() + ".pkl");
            log.printf("bench loading %s: writing %s%n", shapes.name(), file);
            log.flush();
            DataLoadBenchmark.write(shapes, file, 11);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shapes", shapes.name());
            m.put("sizes", shapes.sizes());
            m.put("file_bytes", (double) Files.size(file));
            List<Double> pythonSeconds = new ArrayList<>();
            if (py == null) {
                m.put("python", "skipped: no Python with numpy (create one with scripts/python-env.sh, or pass --python)");
            } else {
                m.put("python", py);
                pythonLoad(py, file);
                for (int r = 0; r < s.dataRepeats(); r++) {
                    log.printf("bench loading %s: python %d/%d%n", shapes.name(), r + 1, s.dataRepeats());
                    log.flush();
                    pythonSeconds.add(pythonLoad(py, file));
                }
            }
            List<Double> load = new ArrayList<>();
            List<Double> loadRead = new ArrayList<>();
            double heapPeak = 0;
            double kept = 0;
            for (int r = 0; r < s.dataRepeats(); r++) {
                log.printf("bench loading %s: java %d/%d%n", shapes.name(), r + 1, s.dataRepeats());
                log.flush();
                Path json = work.resolve(shapes.name() + "-java-" + r + ".json");
                List<String> cmd = javaCommand();
                cmd.addAll(List.of(BenchWorker.class.getName(), "data", "--path", file.toString(), "--out", json.toString()));
                exec(cmd, Map.of(), work.resolve(shapes.name() + "-java-" + r + ".log"));
                JsonObject j = org.mecam.config.ConfigJson.parse(Files.readString(json)).getAsJsonObject();
                load.add(j.get("load_seconds").getAsDouble());
                loadRead.add(j.get("load_and_read_all_seconds").getAsDouble());
                heapPeak = Math.max(heapPeak, j.get("heap_peak_bytes").getAsDouble());
                kept = j.get("arrays_kept_bytes").getAsDouble();
            }
            Files.delete(file);
            m.put("python_pickle_load_s", pythonSeconds);
            m.put("python_pickle_load_median_s", StepBenchmark.median(pythonSeconds));
            m.put("java_load_s", load);
            m.put("java_load_median_s", StepBenchmark.median(load));
            m.put("java_load_and_read_all_s", loadRead);
            m.put("java_load_and_read_all_median_s", StepBenchmark.median(loadRead));
            m.put("java_heap_peak_max_bytes", heapPeak);
            m.put("arrays_kept_bytes", kept);
            m.put("method", "fresh JVM per load, the reader call only (like pickle.load, without start-up); the file is in"
                    + " the page cache for both (one untimed Python load first); load = MmsaReader in feature mode (text,"
                    + " audio, vision kept); load_and_read_all also copies every frame of every array once");
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> dataTargets(List<Map<String, Object>> loading) {
        List<Map<String, Object>> t = new ArrayList<>();
        for (Map<String, Object> l : loading) {
            double py = (Double) l.get("python_pickle_load_median_s");
            if (!Double.isNaN(py)) {
                t.add(target("load " + l.get("shapes") + " / python pickle.load", (Double) l.get("java_load_median_s") / py,
                        0.5, "ratio"));
                t.add(target("load and read every frame " + l.get("shapes") + " / python pickle.load",
                        (Double) l.get("java_load_and_read_all_median_s") / py, 0.5, "ratio"));
            }
            t.add(target("heap peak / arrays kept " + l.get("shapes"),
                    (Double) l.get("java_heap_peak_max_bytes") / (Double) l.get("arrays_kept_bytes"), 1.1, "ratio"));
        }
        return t;
    }

    /** @return a Python that imports numpy, or null */
    private String pythonWithNumpy() throws InterruptedException {
        List<String> candidates = s.python() != null ? List.of(s.python()) : List.of(".venv/bin/python", "python3");
        for (String p : candidates) {
            try {
                Process proc = new ProcessBuilder(p, "-c", "import numpy").redirectErrorStream(true).start();
                proc.getInputStream().readAllBytes();
                if (proc.waitFor() == 0) {
                    return p;
                }
            } catch (IOException e) {
                // try the next candidate
            }
        }
        return null;
    }

    private static double pythonLoad(String py, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(py, "-c", "import pickle, sys, time\n"
                + "t = time.perf_counter()\nwith open(sys.argv[1], 'rb') as f:\n    pickle.load(f)\n"
                + "print(time.perf_counter() - t)", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("python pickle.load failed: " + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1]);
    }

    private Map<String, Object> mainJob(Path work) throws IOException, InterruptedException {
        log.println("bench: the main job (`train` with no options)");
        log.flush();
        Path results = work.resolve("main-job");
        List<String> cmd = new ArrayList<>(mecam);
        cmd.addAll(List.of("train", "--quiet", "--results", results.toString(), "--device", s.device()));
        long start = System.nanoTime();
        exec(cmd, Map.of(), work.resolve("main-job.log"));
        double seconds = (System.nanoTime() - start) / 1e9;
        Path run = onlyRun(results);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", String.join(" ", cmd.subList(cmd.indexOf("train"), cmd.size())));
        m.put("wall_seconds", seconds);
        m.put("epochs_run", RunFiles.epochs(run).size());
        m.put("metrics", ConfigJson.GSON.fromJson(RunFiles.metrics(run), Map.class));
        return m;
    }

    private Map<String, Object> rssRun(Path work) throws IOException, InterruptedException {
        log.println("bench: resident memory over a 40-epoch run (no early stopping, 320 training samples)");
        log.flush();
        Path results = work.resolve("rss");
        List<String> cmd = new ArrayList<>(mecam);
        cmd.addAll(List.of("train", "--quiet", "--results", results.toString(), "--device", s.device(), "--epochs", "40",
                "--patience", "40",
                "--train-size", "320", "--valid-size", "64", "--test-size", "64"));
        exec(cmd, Map.of(), work.resolve("rss.log"));
        List<EpochStats> epochs = RunFiles.epochs(onlyRun(results));
        double at5 = epochs.get(4).rssMb();
        double last = epochs.get(epochs.size() - 1).rssMb();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs.size());
        m.put("rss_after_epoch5_mb", at5);
        m.put("rss_after_last_epoch_mb", last);
        m.put("relative_change", (last - at5) / at5);
        List<Double> series = new ArrayList<>();
        for (EpochStats e : epochs) {
            series.add(e.rssMb());
        }
        m.put("rss_mb_per_epoch", series);
        return m;
    }

    private static List<Map<String, Object>> targets(List<Map<String, Object>> entries, Map<String, Object> mainJob,
            Map<String, Object> rss) {
        List<Map<String, Object>> t = new ArrayList<>();
        for (Map<String, Object> e : entries) {
            if (!"mosi-unaligned".equals(e.get("shape")) || !"features".equals(e.get("mode"))) {
                continue;
            }
            if ("attention".equals(e.get("fusion"))) {
                t.add(target(e.get("name") + " training step", (Double) e.get("train_step_median_ms"), TARGET_TRAIN_MS, "ms"));
                t.add(target(e.get("name") + " evaluation step", (Double) e.get("eval_step_median_ms"), TARGET_EVAL_MS, "ms"));
            } else {
                t.add(target(e.get("name") + " training step", (Double) e.get("train_step_median_ms"), TARGET_CONCAT_TRAIN_MS, "ms"));
            }
        }
        if (mainJob != null) {
            t.add(target("main job wall time", (Double) mainJob.get("wall_seconds"), TARGET_MAIN_JOB_S, "s"));
        }
        if (rss != null) {
            t.add(target("RSS change epoch 5 -> 40", Math.abs((Double) rss.get("relative_change")), TARGET_RSS_CHANGE, "fraction"));
        }
        return t;
    }

    private static Map<String, Object> target(String what, double measured, double limit, String unit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("what", what);
        m.put("measured", measured);
        m.put("target", limit);
        m.put("unit", unit);
        m.put("met", measured <= limit);
        return m;
    }

    private static void summary(PrintWriter out, List<Map<String, Object>> entries, Map<String, Object> untuned,
            Map<String, Object> mainJob, Map<String, Object> rss) {
        out.printf("%-40s %12s %12s %14s%n", "entry", "train ms", "eval ms", "run-ahead ms");
        for (Map<String, Object> e : entries) {
            out.printf("%-40s %12.1f %12.1f %14.1f%n", e.get("name"), e.get("train_step_median_ms"),
                    e.get("eval_step_median_ms"), e.get("train_step_run_ahead_median_ms"));
        }
        out.printf("%-40s %12.1f %12.1f%n", untuned.get("name"), untuned.get("train_step_median_ms"),
                untuned.get("eval_step_median_ms"));
        if (mainJob != null) {
            out.printf("main job: %.1f s (%s epochs)%n", mainJob.get("wall_seconds"), mainJob.get("epochs_run"));
        }
        if (rss != null) {
            out.printf("RSS after epoch 5: %.1f MiB, after epoch %s: %.1f MiB (%+.2f%%)%n", rss.get("rss_after_epoch5_mb"),
                    rss.get("epochs"), rss.get("rss_after_last_epoch_mb"), 100 * (Double) rss.get("relative_change"));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Double> doubles(JsonObject json, String key) {
        return ConfigJson.GSON.fromJson(json.get(key), List.class);
    }

    private static Path onlyRun(Path results) throws IOException {
        try (Stream<Path> s = Files.list(results)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst()
                    .orElseThrow(() -> new IOException("no run directory under " + results));
        }
    }

    private static void exec(List<String> cmd, Map<String, String> env, Path logFile) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        int code = p.waitFor();
        if (code != 0) {
            throw new IOException("benchmark process failed (exit " + code + "): " + String.join(" ", cmd)
                    + File.separator + "\n" + Files.readString(logFile));
        }
    }

    /** @return java, this JVM's options and -cp with this classpath */
    static List<String> javaCommand() {
        return GridRunner.javaCommand();
    }
}
