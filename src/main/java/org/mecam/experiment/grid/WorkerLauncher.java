package org.mecam.experiment.grid;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the processes among which {@link GridRunner} shares a grid's runs: worker {@code shard}
 * of {@code of} runs {@link GridRunner#runShard} on the grid {@code gridRef} (a file or built-in
 * name) under {@code root}. The grid runner waits for the processes, copies their output and
 * stops them when it is interrupted. Other schedulers plug in here.
 */
@FunctionalInterface
public interface WorkerLauncher {

    /** @return the started worker process */
    Process start(String gridRef, Path root, int shard, int of) throws IOException;

    /**
     * @return workers as JVMs on this machine running {@link GridWorker}, with this JVM's
     *     executable, -X / -D options and classpath; {@code threads} intra-op threads each
     *     unless {@code MECAM_THREADS} is set
     */
    static WorkerLauncher localJvms(int threads) {
        return (gridRef, root, shard, of) -> {
            List<String> cmd = new ArrayList<>(GridRunner.javaCommand());
            cmd.addAll(List.of(GridWorker.class.getName(), "--grid", gridRef, "--results", root.toString(), "--shard",
                    String.valueOf(shard), "--of", String.valueOf(of)));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putIfAbsent("MECAM_THREADS", String.valueOf(threads));
            pb.environment().put(GridWorker.PARENT_PID, String.valueOf(ProcessHandle.current().pid()));
            return pb.start();
        };
    }

    /** Copies a worker's output line by line; its "error: " lines go to {@code errors} instead, when given. */
    static Thread pump(java.io.InputStream from, java.io.PrintStream to, String name,
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
}
