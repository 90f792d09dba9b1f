package org.mecam.experiment.grid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mecam.config.ConfigException;
import org.mecam.experiment.run.ReuseCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A grid submitted to Slurm as one job array: one array task per run that is neither finished nor
 * claimed by a live job, each running {@link GridWorker} {@code --index I} on the shared results
 * root with the same atomic run directories and resume rules as local workers. Slurm schedules;
 * the kit only submits, waits and reports.
 *
 * <p>Files under {@code <root>/.slurm/<grid>/}: {@code job-<id>.sh} (the batch script),
 * {@code logs/<job>_<task>.out} (each task's output), {@code claims/<index>} (the job and task
 * that will make run {@code index}; a second submission skips claimed runs whose task is still
 * queued or running, and a task whose run was claimed by another live task exits without running).
 */
public final class SlurmGrid {

    private static final Logger LOG = LoggerFactory.getLogger(SlurmGrid.class);

    /**
     * Resource requests and the sbatch options around them.
     *
     * Every value is checked when the record is made ({@link SlurmOptions}: Slurm's forms and
     * ranges), so that a bad one fails with exit 2 before anything is written or submitted.
     *
     * @param partition {@code --partition} (a name or comma-separated names), or null
     * @param time {@code --time} (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, UNLIMITED), or null
     * @param cpus {@code --cpus-per-task} (0: not given, Slurm's default; else at least 1)
     * @param mem {@code --mem} (a whole number >= 1 with an optional K, M, G or T; MB without), or null
     * @param gpus {@code --gpus-per-task} (0: not given, none; else at least 1)
     * @param extra further sbatch options, each as written on the command line (one line each, starting with '-')
     * @throws ConfigException naming the option, the value and the accepted form
     */
    public record Resources(String partition, String time, int cpus, String mem, int gpus, List<String> extra) {

        public Resources {
            SlurmOptions.partition(partition);
            SlurmOptions.time(time);
            SlurmOptions.count("--cpus-per-task", cpus);
            SlurmOptions.mem(mem);
            SlurmOptions.count("--gpus-per-task", gpus);
            extra = extra == null ? List.of() : List.copyOf(extra);
            extra.forEach(SlurmOptions::sbatchOption);
        }

        List<String> directives() {
            List<String> out = new ArrayList<>();
            if (partition != null) {
                out.add("--partition=" + partition);
            }
            if (time != null) {
                out.add("--time=" + time);
            }
            if (cpus > 0) {
                out.add("--cpus-per-task=" + cpus);
            }
            if (mem != null) {
                out.add("--mem=" + mem);
            }
            if (gpus > 0) {
                out.add("--gpus-per-task=" + gpus);
            }
            out.addAll(extra);
            return out;
        }
    }

    /** What a submission did: the job id (null when nothing was pending) and the runs it asked for. */
    public record Submission(String jobId, List<Integer> indices, int finished, int claimed, Path dir) {}

    private SlurmGrid() {}

    /** @return the folder of a grid's Slurm files */
    static Path dir(Path root, Grid grid) {
        return root.resolve(".slurm").resolve(Grid.slug(grid.name()));
    }

    /**
     * Submits the grid's pending runs as one job array.
     *
     * @param gridRef the grid's file or built-in name, as the tasks will load it
     */
    public static Submission submit(Grid grid, String gridRef, Path root, Resources resources)
            throws IOException, InterruptedException {
        root = root.toAbsolutePath();
        List<Grid.RunSpec> runs = grid.expand();
        Path dir = dir(root, grid);
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("claims"));
        List<Integer> pending = new ArrayList<>();
        int finished = 0;
        int claimed = 0;
        for (int i = 0; i < runs.size(); i++) {
            Path target = runs.get(i).dir(root, grid.name());
            if (Files.isDirectory(target)) {
                ReuseCheck.check(target, runs.get(i).config(), grid.options(runs.get(i)));
                finished++;
            } else if (liveClaim(dir, i) != null) {
                claimed++;
            } else {
                pending.add(i);
            }
        }
        GridRunner.writeSpec(grid, gridRef, root); // the variant order, aliases and references of the report
        if (pending.isEmpty()) {
            return new Submission(null, pending, finished, claimed, dir);
        }
        Path ref = Files.isRegularFile(Path.of(gridRef)) ? Path.of(gridRef).toAbsolutePath() : null;
        List<String> java = GridRunner.javaCommand();
        StringBuilder script = new StringBuilder("#!/bin/bash\n");
        script.append("#SBATCH --job-name=mecam-").append(Grid.slug(grid.name())).append('\n');
        script.append("#SBATCH --array=").append(join(pending)).append('\n');
        script.append("#SBATCH --output=").append(dir.resolve("logs")).append("/%A_%a.out\n");
        // the classpath may be relative to where the grid was submitted (java -jar target/mecam.jar)
        script.append("#SBATCH --chdir=").append(Path.of("").toAbsolutePath()).append('\n');
        for (String d : resources.directives()) {
            script.append("#SBATCH ").append(d).append('\n');
        }
        script.append("export MECAM_THREADS=${MECAM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\n");
        script.append("exec");
        for (String part : java) {
            script.append(' ').append(quote(part));
        }
        script.append(' ').append(GridWorker.class.getName()).append(" --grid ")
                .append(quote(ref == null ? gridRef : ref.toString())).append(" --results ").append(quote(root.toString()))
                .append(" --index \"$SLURM_ARRAY_TASK_ID\"\n");
        Path tmp = Files.createTempFile(dir, "job", ".sh");
        Files.writeString(tmp, script, StandardCharsets.UTF_8);
        String out = exec(List.of("sbatch", "--parsable", tmp.toString()));
        String jobId = out.strip().split(";")[0];
        if (!jobId.matches("\\d+")) {
            throw new IOException("sbatch answered '" + out.strip() + "', not a job id");
        }
        Files.move(tmp, dir.resolve("job-" + jobId + ".sh"), StandardCopyOption.REPLACE_EXISTING);
        for (int i : pending) {
            Files.writeString(dir.resolve("claims").resolve(Integer.toString(i)), jobId + "_" + i);
        }
        LOG.info("grid {}: submitted {} runs as job array {} ({} finished, {} claimed by live jobs)", grid.name(),
                pending.size(), jobId, finished, claimed);
        return new Submission(jobId, pending, finished, claimed, dir);
    }

    /** Waits until no task of the job is queued or running. */
    public static void await(String jobId, long pollMillis) throws IOException, InterruptedException {
        while (!exec(List.of("squeue", "-h", "-j", jobId, "-o", "%i")).isBlank()) {
            Thread.sleep(pollMillis);
        }
    }

    /** @return for each submitted run that has no run directory after the job: its task's log */
    public static List<String> failures(Grid grid, Path root, Submission s) {
        List<String> out = new ArrayList<>();
        List<Grid.RunSpec> runs = grid.expand();
        for (int i : s.indices()) {
            Grid.RunSpec r = runs.get(i);
            if (!Files.isDirectory(r.dir(root.toAbsolutePath(), grid.name()))) {
                out.add(r.variant() + " / " + r.dataset() + " / seed " + r.seed() + ": no run directory; see "
                        + s.dir().resolve("logs").resolve(s.jobId() + "_" + i + ".out"));
            }
        }
        return out;
    }

    /**
     * One array task: runs run {@code index} unless it is finished or claimed by another live task.
     *
     * @return the worker's exit code
     */
    static int runTask(Grid grid, Path root, int index) {
        String me = System.getenv("SLURM_ARRAY_JOB_ID") + "_" + System.getenv("SLURM_ARRAY_TASK_ID");
        try {
            String owner = liveClaim(dir(root, grid), index);
            if (owner != null && !owner.equals(me)) {
                System.out.println("run " + index + " is claimed by the live task " + owner + ": not run twice");
                return 0;
            }
            Files.createDirectories(dir(root, grid).resolve("claims"));
            Files.writeString(dir(root, grid).resolve("claims").resolve(Integer.toString(index)), me);
        } catch (IOException | InterruptedException e) {
            throw new ConfigException("cannot claim run " + index + " under " + dir(root, grid) + ": " + e.getMessage());
        }
        GridRunner.Summary s = GridRunner.runIndices(grid, root, List.of(index), null);
        return s.succeeded() ? 0 : 1;
    }

    /** @return the claim of run {@code index} when the task holding it is queued or running, else null */
    private static String liveClaim(Path dir, int index) throws IOException, InterruptedException {
        Path claim = dir.resolve("claims").resolve(Integer.toString(index));
        if (!Files.isRegularFile(claim)) {
            return null;
        }
        String owner = Files.readString(claim).strip();
        return !owner.isEmpty() && !exec(List.of("squeue", "-h", "-j", owner, "-o", "%i")).isBlank() ? owner : null;
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not answer in 60 s");
        }
        if (p.exitValue() != 0) {
            // squeue on a job that has left the queue exits 1 with "Invalid job id": not running
            if (cmd.get(0).equals("squeue") && out.contains("Invalid job id")) {
                return "";
            }
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    private static String join(List<Integer> indices) {
        StringBuilder b = new StringBuilder();
        for (int i : indices) {
            b.append(b.length() == 0 ? "" : ",").append(i);
        }
        return b.toString();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
