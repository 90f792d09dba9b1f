package org.mecam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.stream.Stream;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.run.ResultStore;
import org.mecam.experiment.run.RunFiles;

/**
 * Copies what a results root's finished runs computed, and nothing that can be recomputed or is
 * large, into another folder (such as {@code docs/results/}) from which {@code report} rebuilds
 * every table and figure: per run config.json, metrics.json, metrics.md, epochs.csv,
 * predictions.csv, robustness.csv and failure.json; per grid its grid.json. Checkpoints, figures,
 * staging folders and the old tables are left behind. Runs already published are replaced, others
 * at the target are kept, so that a campaign can be published run by run as it proceeds.
 */
public final class ResultsPublisher {

    /** The files of a run directory that are published. */
    public static final Set<String> RUN_FILES = Set.of(RunFiles.CONFIG, RunFiles.METRICS, RunFiles.METRICS_MD,
            RunFiles.EPOCHS, RunFiles.PREDICTIONS, RunFiles.ROBUSTNESS, RunFiles.FAILURE);

    private ResultsPublisher() {}

    /** @return the number of runs copied */
    public static int publish(Path from, Path to) throws IOException {
        ResultStore store = ResultStore.scan(from);
        int runs = 0;
        for (ResultStore.Run r : store.runs()) {
            Path rel = from.relativize(r.dir());
            Path target = to.resolve(rel);
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(r.dir())) {
                for (Path f : files.toList()) {
                    if (RUN_FILES.contains(f.getFileName().toString()) && Files.isRegularFile(f)) {
                        copy(f, target.resolve(f.getFileName().toString()));
                    }
                }
            }
            runs++;
        }
        for (String grid : store.runs().stream().map(ResultStore.Run::grid).distinct().toList()) {
            Path spec = from.resolve(Grid.slug(grid)).resolve("grid.json");
            if (Files.isRegularFile(spec)) {
                Files.createDirectories(to.resolve(Grid.slug(grid)));
                copy(spec, to.resolve(Grid.slug(grid)).resolve("grid.json"));
            }
        }
        return runs;
    }

    /** Copies through a temporary file and a rename, so that an interrupted copy leaves no half file. */
    private static void copy(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling("." + to.getFileName() + ".partial");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

}
