package org.mecam.experiment.grid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.mecam.config.ConfigException;
import org.mecam.config.RunConfig;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.experiment.run.RunFiles;
import org.mecam.train.EpochStats;

/**
 * How many local worker processes a grid's runs fit in this machine's memory: each worker needs
 * about the resident memory of its largest run, which is the largest peak that the grid's
 * finished runs under the results root recorded ({@code rss_mb} of their epochs.csv) or, before
 * any finished, an estimate from the data's size (calibrated in docs/bench/load-2core.json: the
 * JVM and libtorch, plus a multiple of the dataset's float arrays, larger for Tribuo's forest).
 * A grid asked for more workers than {@code MemAvailable} holds is refused before any starts,
 * rather than killed by the kernel's OOM killer half-way. {@code MECAM_WORKER_MB} sets the
 * per-worker need by hand (a cluster node, a different data layout).
 */
final class WorkerMemory {

    /** The JVM, libtorch and the kit, without data (MiB). */
    static final double BASE_MB = 600;
    /** Of MemAvailable, what workers may take (the rest: the grid process, the page cache). */
    static final double USABLE = 0.9;

    private WorkerMemory() {}

    /** @return the estimated resident memory of one run of {@code c} (MiB) */
    static double estimateMb(RunConfig c) {
        return BASE_MB + c.methodKind().residentPerDataMb() * dataMb(c);
    }

    /** @return the size of the configuration's data as float arrays (MiB), or the file's size for real data */
    static double dataMb(RunConfig c) {
        if (!c.dataset.equals("synthetic")) {
            try {
                return c.path == null || c.path.isEmpty() ? 0 : Files.size(Path.of(c.path)) / 1048576.0;
            } catch (IOException e) {
                return 0;
            }
        }
        SyntheticSpec s = SyntheticSpec.of(c);
        double samples = s.trainSize() + s.validSize() + s.testSize();
        double floats = (double) s.textLen() * s.textDim() + (double) s.audioLen() * SyntheticSpec.AUDIO_DIM
                + (double) s.visionLen() * SyntheticSpec.VISION_DIM;
        return samples * floats * 4 / 1048576.0;
    }

    /** @return what one worker of the grid needs (MiB): the measured or estimated need of its largest run */
    static double perWorkerMb(Grid grid, Path root, List<Grid.RunSpec> runs) {
        String set = System.getenv("MECAM_WORKER_MB");
        if (set != null && !set.isBlank()) {
            try {
                return Double.parseDouble(set.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("MECAM_WORKER_MB: '" + set + "' is not a number of MiB");
            }
        }
        double need = 0;
        for (Grid.RunSpec r : runs) {
            need = Math.max(need, estimateMb(r.config()));
            Path dir = r.dir(root, grid.name());
            if (Files.isRegularFile(dir.resolve(RunFiles.EPOCHS))) {
                try {
                    for (EpochStats e : RunFiles.epochs(dir)) {
                        need = Math.max(need, e.rssMb());
                    }
                } catch (IOException | RuntimeException e) {
                    // a damaged record says nothing about memory; the reuse check reports it
                }
            }
        }
        return need;
    }

    /** @return MemAvailable of /proc/meminfo (MiB), or NaN where it is missing */
    static double availableMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /**
     * @throws ConfigException naming the grid, each worker's need, the memory available and the
     *     number of workers that fit, when {@code workers} (more than one) do not fit
     */
    static void check(Grid grid, Path root, List<Grid.RunSpec> pending, int workers) {
        if (workers <= 1 || pending.isEmpty()) {
            return;
        }
        double available = availableMb();
        if (Double.isNaN(available)) {
            return;
        }
        check(grid.name(), perWorkerMb(grid, root, pending), available, workers);
    }

    /** The check of {@link #check(Grid, Path, List, int)} on given numbers (MiB). */
    static void check(String gridName, double each, double available, int workers) {
        int fit = (int) Math.floor(USABLE * available / each);
        if (workers > Math.max(1, fit)) {
            throw new ConfigException(String.format(Locale.ROOT, "--workers %d: grid %s needs about %.0f MiB per worker"
                    + " and %.0f MiB are available (MemAvailable): at most %d fit; use --workers %d (or set"
                    + " MECAM_WORKER_MB if the estimate is wrong)", workers, gridName, each, available,
                    Math.max(1, fit), Math.max(1, fit)));
        }
    }
}
