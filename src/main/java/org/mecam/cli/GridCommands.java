package org.mecam.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigException;
import org.mecam.engine.LibtorchCheck;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.grid.GridRunner;
import org.mecam.experiment.grid.SlurmGrid;
import org.mecam.report.ExperimentReport;
import org.mecam.train.TrainingProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ablate}, {@code robustness}, {@code report} and the hidden {@code grid-worker}. */
final class GridCommands {

    private GridCommands() {}

    /** Options shared by ablate and robustness. */
    abstract static class RunGrid implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--grid", required = true, paramLabel = "FILE.json|NAME",
                description = "the grid: a JSON file, or a built-in (smoke, smoke-robustness, smoke-negative-fraction, alpha-sweep-mosi,"
                        + " negative-fraction-mosi, ablations-mosi, robustness-mosi)")
        String grid;

        @Option(names = "--results", defaultValue = "results", paramLabel = "DIR",
                description = "results root (default: ${DEFAULT-VALUE}); runs go to DIR/<grid>/<dataset>/<variant>/seed-N")
        Path results;

        @Option(names = "--workers", defaultValue = "1", paramLabel = "N",
                description = "worker processes sharing the runs (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--others", defaultValue = "wait", paramLabel = "wait|leave",
                description = "a run of this grid that another live process is running (a second grid on the same"
                        + " results root, a Slurm job): wait for it (default) or leave it to that process; never"
                        + " run twice, never counted as failed")
        String others;

        @Option(names = "--report", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "write tables and figures afterwards (default); --no-report does not")
        boolean report;

        @Option(names = "--launcher", defaultValue = "local", paramLabel = "local|slurm",
                description = "local: worker processes on this machine (default); slurm: one Slurm job array, one task per"
                        + " pending run, on the results root's shared filesystem")
        String launcher;

        @Option(names = "--partition", paramLabel = "NAME", description = "slurm: sbatch --partition: a name (letters, digits, _ - .) or a comma-separated list")
        String partition;

        @Option(names = "--time", paramLabel = "D-HH:MM:SS", description = "slurm: sbatch --time per task: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM,"
                + " D-HH:MM:SS or UNLIMITED")
        String time;

        @Option(names = "--cpus-per-task", defaultValue = "0", paramLabel = "N", description = "slurm: sbatch --cpus-per-task, >= 1 (0, the default: Slurm's)")
        int cpus;

        @Option(names = "--mem", paramLabel = "SIZE", description = "slurm: sbatch --mem per task: a whole number with K, M, G or T"
                + " (none: MB), e.g. 4G")
        String mem;

        @Option(names = "--gpus-per-task", defaultValue = "0", paramLabel = "N", description = "slurm: sbatch --gpus-per-task, >= 1 (0, the default: none)")
        int gpus;

        @Option(names = "--sbatch-option", paramLabel = "OPTION", description = "slurm: one more sbatch option, e.g."
                + " --sbatch-option=--account=lab (repeatable)")
        List<String> sbatchOptions = new java.util.ArrayList<>();

        @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "slurm: wait for the array to finish (default); --no-wait returns once it is submitted (run"
                        + " report later)")
        boolean waitForArray;

        /** @return the Slurm options, checked (exit 2 naming the option before anything is written) */
        SlurmGrid.Resources resources() {
            return new SlurmGrid.Resources(partition, time, cpus, mem, gpus, sbatchOptions);
        }

        private int slurm(Grid g, SlurmGrid.Resources resources, java.io.PrintWriter out) throws Exception {
            SlurmGrid.Submission sub = SlurmGrid.submit(g, grid, results, resources);
            if (sub.jobId() == null) {
                out.printf("grid %s: nothing to submit (%d runs finished, %d claimed by live jobs)%n", g.name(),
                        sub.finished(), sub.claimed());
            } else {
                out.printf("grid %s: submitted job array %s with %d tasks (%d runs finished, %d claimed by live jobs);"
                        + " logs in %s%n", g.name(), sub.jobId(), sub.indices().size(), sub.finished(), sub.claimed(),
                        sub.dir().resolve("logs"));
            }
            out.flush();
            if (!waitForArray) {
                return 0;
            }
            List<String> failed = new java.util.ArrayList<>();
            if (sub.jobId() != null) {
                SlurmGrid.await(sub.jobId(), 2000);
                failed.addAll(SlurmGrid.failures(g, results, sub));
            }
            failed.forEach(f -> out.println("failed: " + f));
            if (report) {
                List<Path> files = ExperimentReport.write(results);
                out.printf("report: %d tables and figures under %s and %s%n", files.size(), results.resolve("tables"),
                        results.resolve("figures"));
            }
            return failed.isEmpty() ? 0 : 1;
        }

        /** @throws ConfigException if the grid does not suit the command */
        abstract void check(Grid g);

        @Override
        public Integer call() throws Exception {
            // every option is checked before the grid is loaded, a folder made or sbatch called
            if (workers < 1) {
                throw new ConfigException("--workers must be at least 1, got " + workers);
            }
            if (!others.equals("wait") && !others.equals("leave")) {
                throw new ConfigException("--others: unknown value '" + others + "' (expected wait or leave)");
            }
            if (!launcher.equals("local") && !launcher.equals("slurm")) {
                throw new ConfigException("--launcher: unknown value '" + launcher + "' (expected local or slurm)");
            }
            SlurmGrid.Resources resources = resources(); // checked with either launcher: a bad value is a mistake
            Grid g = Grid.load(grid);
            check(g);
            var out = spec.commandLine().getOut();
            if (launcher.equals("slurm")) {
                return slurm(g, resources, out);
            }
            LibtorchCheck.check(); // local runs start the engine: a libtorch that cannot load fails here, nothing written
            GridRunner.Summary s = GridRunner.run(g, grid, results, workers, new ProgressListener(System.err, false),
                    others.equals("leave") ? GridRunner.Others.LEAVE : GridRunner.Others.WAIT);
            out.printf("grid %s: %d runs, %d already finished, %d run now%n", g.name(), s.total(), s.skipped(), s.ran());
            s.failures().forEach(f -> out.println("failed: " + f));
            if (report) {
                List<Path> files = ExperimentReport.write(results);
                out.printf("report: %d tables and figures under %s and %s%n", files.size(), results.resolve("tables"),
                        results.resolve("figures"));
            }
            out.println(results.resolve(Grid.slug(g.name())));
            out.flush();
            return s.succeeded() ? 0 : 1;
        }
    }

    @Command(name = "ablate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run an ablation grid (variants x seeds x datasets) and write its tables and figures.",
                "Finished runs are skipped, so an interrupted grid resumes where it stopped."})
    static final class Ablate extends RunGrid {
        @Override
        void check(Grid g) {
            // any grid
        }
    }

    @Command(name = "robustness", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run a robustness grid (train, then evaluate under perturbations) and write its tables and figures.",
                "Each variant and seed is trained once; its test set is then evaluated under each perturbation and",
                "level of the grid's \"robustness\" section."})
    static final class RobustnessGrid extends RunGrid {
        @Override
        void check(Grid g) {
            if (g.sweep() == null) {
                throw new ConfigException("grid " + g.name() + " has no \"robustness\" section (perturbations and levels)");
            }
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Write the tables (CSV, Markdown, LaTeX) and figures (PNG, SVG) of every run under a results"
                    + " directory into DIR/tables and DIR/figures.")
    static final class Report implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--results", defaultValue = "results", paramLabel = "DIR", description = "default: ${DEFAULT-VALUE}")
        Path results;

        @Option(names = "--publish", paramLabel = "DIR", description = "first copy the finished runs' result files (no"
                + " checkpoints, no figures) into DIR, e.g. docs/results, then write the report there")
        Path publish;

        @Override
        public Integer call() throws Exception {
            Path root = results;
            if (publish != null) {
                int runs = org.mecam.report.ResultsPublisher.publish(results, publish);
                spec.commandLine().getOut().printf("published %d runs from %s into %s%n", runs, results, publish);
                root = publish;
            }
            List<Path> files = ExperimentReport.write(root);
            spec.commandLine().getOut().printf("%d files under %s and %s%n", files.size(), root.resolve("tables"),
                    root.resolve("figures"));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "grid-worker", hidden = true)
    static final class Worker implements Callable<Integer> {

        @Option(names = "--grid", required = true)
        String grid;

        @Option(names = "--results", required = true)
        Path results;

        @Option(names = "--shard", required = true)
        int shard;

        @Option(names = "--of", required = true)
        int of;

        @Override
        public Integer call() {
            GridRunner.Summary s = GridRunner.runShard(Grid.load(grid), results, shard, of, (TrainingProgress) null);
            return s.succeeded() ? 0 : 1;
        }
    }
}
