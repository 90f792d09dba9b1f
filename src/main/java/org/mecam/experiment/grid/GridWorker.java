package org.mecam.experiment.grid;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.engine.Interruption;

/**
 * The entry point of a grid worker process ({@link WorkerLauncher#localJvms}):
 * {@code --grid FILE|NAME --results DIR --shard K --of N} is worker K of N, taking the grid's pending
 * runs in order, each that no other worker holds ({@link GridRunner#runShard}); {@code --index I} runs run I of the grid alone (a Slurm array task, {@link SlurmGrid}), unless
 * another live job claims it. Exit 0 when every run succeeded, 1 when a run failed, 2 for a bad grid or results root,
 * 4 for an I/O failure (one {@code error:} line each), 130 when interrupted.
 */
public final class GridWorker {

    private GridWorker() {}

    /** The environment variable that names the process a local worker must not outlive. */
    static final String PARENT_PID = "MECAM_GRID_PARENT_PID";

    public static void main(String[] args) {
        dieWithParent(System.getenv(PARENT_PID));
        System.exit(run(args));
    }

    /**
     * A local worker stops when the grid process that started it is gone, however it ended
     * (SIGKILL included): its unfinished run is removed from staging as the worker exits (or, if
     * the worker cannot finish exiting, by the next run there), and the resumed grid runs it again.
     */
    static void dieWithParent(String pid) {
        if (pid == null || pid.isBlank()) {
            return;
        }
        Runnable stop = () -> {
            System.err.println("grid worker: the grid process " + pid + " is gone: stopping");
            // exit, not halt: the shutdown hooks remove the unfinished run's staging directory; a
            // second thread halts if they hang
            Thread guard = new Thread(() -> {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().halt(143);
            }, "worker-exit-guard");
            guard.setDaemon(true);
            guard.start();
            System.exit(143);
        };
        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresentOrElse(p -> p.onExit().thenRun(stop), stop);
    }

    static int run(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        try {
            if (o.containsKey("--index")) {
                return SlurmGrid.runTask(Grid.load(o.get("--grid")), Path.of(o.get("--results")),
                        Integer.parseInt(o.get("--index")));
            }
            for (String key : new String[] {"--grid", "--results", "--shard", "--of"}) {
                if (!o.containsKey(key)) {
                    throw new ConfigException("grid worker: missing " + key);
                }
            }
            int shard = Integer.parseInt(o.get("--shard"));
            int of = Integer.parseInt(o.get("--of"));
            if (System.getProperty("mecam.dropoutMasks.ahead") == null && of >= Runtime.getRuntime().availableProcessors()) {
                // the grid gives each core a worker: masks are made inline, with the same values
                System.setProperty("mecam.dropoutMasks.ahead", "false");
            }
            GridRunner.Summary s = GridRunner.runShard(Grid.load(o.get("--grid")), Path.of(o.get("--results")), shard, of,
                    null);
            return s.succeeded() ? 0 : 1;
        } catch (ConfigException | NumberFormatException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Interruption.InterruptedRunException e) {
            System.err.println("grid worker interrupted");
            return 130;
        } catch (RuntimeException e) {
            if (!org.mecam.config.IoFailure.is(e)) {
                throw e;
            }
            System.err.println("error: " + org.mecam.config.IoFailure.describe(e));
            return GridRunner.EXIT_IO;
        }
    }
}
