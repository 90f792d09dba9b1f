package org.mecam.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigJson;
import org.mecam.config.Preset;
import org.mecam.config.TextMode;
import org.mecam.experiment.StepBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One benchmark process of {@code mecam bench} (hidden): times one entry and writes JSON. */
@Command(name = "bench-worker", hidden = true)
final class BenchWorkerCommand implements Callable<Integer> {

    @Option(names = "--mode", required = true)
    String mode;

    @Option(names = "--fusion", required = true)
    String fusion;

    @Option(names = "--preset", required = true)
    String preset;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--warmup", defaultValue = "5")
    int warmup;

    @Option(names = "--steps", defaultValue = "30")
    int steps;

    @Option(names = "--threads", defaultValue = "1")
    int threads;

    @Option(names = "--device", defaultValue = "cpu")
    String device;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Integer call() throws Exception {
        StepBenchmark.Result r = StepBenchmark.run(
                org.mecam.config.Choice.parse(TextMode.class, "mode", mode),
                org.mecam.config.FusionKind.of(fusion).key(),
                org.mecam.config.Choice.parse(Preset.class, "preset", preset), batch, warmup, steps, threads, device);
        Files.writeString(out, ConfigJson.GSON.toJson(r.toMap()), StandardCharsets.UTF_8);
        return 0;
    }
}
