package org.mecam.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigJson;
import org.mecam.experiment.DataLoadBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One data-loading measurement of {@code mecam bench} (hidden), in a fresh process. */
@Command(name = "bench-data-worker", hidden = true)
final class BenchDataWorkerCommand implements Callable<Integer> {

    @Option(names = "--path", required = true)
    Path file;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Integer call() throws Exception {
        Files.writeString(out, ConfigJson.GSON.toJson(DataLoadBenchmark.measure(file)), StandardCharsets.UTF_8);
        return 0;
    }
}
