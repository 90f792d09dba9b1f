package org.mecam.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mecam.bench.BenchSuite;
import org.mecam.experiment.grid.GridRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mecam bench --out FILE.json}: the options of {@link BenchSuite}, which measures; speed
 * and memory figures, each in fresh worker processes, the main job's wall time, and the resident
 * memory of a 40-epoch run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Benchmark speed and memory; write the medians as JSON.",
            "Median ms per training step (stage 0 + stage 1) and per evaluation step, batch 32, on",
            "full-length batches at MOSI aligned and unaligned shapes, for feature mode (attention and concat",
            "fusion) and BERT mode (bert-base, few steps), and the mean step time when steps are read back only",
            "at the end (run-ahead: what a GPU gains from not waiting for each); the glibc allocator's effect;",
            "the `train` main job's wall time; RSS after epoch 5 vs after epoch 40 of a 40-epoch run. Writes JSON."
        })
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "where to write the results")
    Path out;

    @Option(names = "--processes", defaultValue = "3", description = "worker processes per entry (default: ${DEFAULT-VALUE})")
    int processes;

    @Option(names = "--steps", defaultValue = "30", description = "timed steps per process (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "5", description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--bert-steps", defaultValue = "3", description = "timed BERT steps, one process (default: ${DEFAULT-VALUE})")
    int bertSteps;

    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu",
            description = "where the steps and the main job run (default: ${DEFAULT-VALUE}); the targets apply to the CPU only")
    String device;

    @Option(names = "--skip-bert", description = "leave out BERT mode")
    boolean skipBert;

    @Option(names = "--skip-main-job", description = "leave out the main job and the 40-epoch memory run")
    boolean skipMainJob;

    @Option(names = "--skip-rss", description = "leave out the 40-epoch memory run (keep the main job)")
    boolean skipRss;

    @Option(names = "--skip-data", description = "leave out loading dataset files at MOSI / MOSEI scale")
    boolean skipData;

    @Option(names = "--python", paramLabel = "PATH",
            description = "Python with numpy for the pickle.load comparison (default: .venv/bin/python, else python3)")
    String python;

    @Option(names = "--data-repeats", defaultValue = "3", description = "loads per file and side (default: ${DEFAULT-VALUE})")
    int dataRepeats;

    @Override
    public Integer call() throws Exception {
        if (!List.of("cpu", "gpu").contains(device)) {
            throw new org.mecam.config.ConfigException("--device must be cpu or gpu, got '" + device + "'");
        }
        if (processes < 1 || steps < 1 || warmup < 0 || bertSteps < 1 || dataRepeats < 1 || threads < 1) {
            throw new org.mecam.config.ConfigException("--processes, --steps, --bert-steps, --data-repeats and --threads"
                    + " must be at least 1 and --warmup at least 0");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new org.mecam.config.ConfigException("--out " + out + ": the folder " + parent
                    + " does not exist or is not writable");
        }
        new BenchSuite(new BenchSuite.Settings(processes, steps, warmup, bertSteps, threads, device, skipBert, skipMainJob,
                skipRss, skipData, python, dataRepeats), mecamCommand(), spec.commandLine().getErr(),
                spec.commandLine().getOut()).run(out);
        return 0;
    }

    /** @return the command users run: java -jar mecam.jar when running from the jar, else java -cp ... Main */
    static List<String> mecamCommand() {
        List<String> cmd = new ArrayList<>(GridRunner.javaCommand());
        try {
            Path self = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (self.toString().endsWith(".jar")) {
                int cp = cmd.indexOf("-cp");
                cmd.subList(cp, cp + 2).clear();
                cmd.add("-jar");
                cmd.add(self.toString());
                return cmd;
            }
        } catch (java.net.URISyntaxException | SecurityException e) {
            // fall back to the class path
        }
        cmd.add(Main.class.getName());
        return cmd;
    }
}
