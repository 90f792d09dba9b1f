package org.mecam.experiment;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.engine.Interruption;

/**
 * The entry point of a grid worker process ({@link WorkerLauncher#localJvms}):
 * {@code --grid FILE|NAME --results DIR --shard K --of N} runs every N-th pending run starting at
 * K; {@code --index I} runs run I of the grid alone (a Slurm array task, {@link SlurmGrid}), unless
 * another live job claims it. Exit 0 when every run succeeded, 1 when a run failed, 2 for a bad grid or results root (one
 * {@code error:} line), 130 when interrupted.
 */
public final class GridWorker {

    private GridWorker() {}

    public static void main(String[] args) {
        System.exit(run(args));
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
            GridRunner.Summary s = GridRunner.runShard(Grid.load(o.get("--grid")), Path.of(o.get("--results")), shard, of,
                    null);
            return s.succeeded() ? 0 : 1;
        } catch (ConfigException | NumberFormatException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Interruption.InterruptedRunException e) {
            System.err.println("grid worker interrupted");
            return 130;
        }
    }
}
