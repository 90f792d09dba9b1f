package org.mecam.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mecam.config.Choice;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.FusionKind;
import org.mecam.config.Preset;
import org.mecam.config.TextMode;

/**
 * The entry point of one benchmark process that {@link BenchSuite} starts (a fresh JVM per
 * measurement): {@code step --mode M --fusion F --preset P --warmup W --steps N --threads T
 * --device D --out FILE.json [--profile TRACE.json]} times training and evaluation steps ({@link
 * StepBenchmark}; with {@code --profile}, then as many steps under libtorch's profiler: {@link StepProfile});
 * {@code data --path FILE.pkl --out FILE.json} times loading a dataset file
 * ({@link DataLoadBenchmark}). Exit 0, or 2 with one {@code error:} line for bad arguments.
 */
public final class BenchWorker {

    private BenchWorker() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        try {
            Object result;
            if (args.length > 0 && args[0].equals("step")) {
                result = StepBenchmark.run(Choice.parse(TextMode.class, "mode", need(o, "--mode")),
                        FusionKind.of(need(o, "--fusion")).key(), Choice.parse(Preset.class, "preset", need(o, "--preset")),
                        Integer.parseInt(o.getOrDefault("--batch", "32")), Integer.parseInt(o.getOrDefault("--warmup", "5")),
                        Integer.parseInt(o.getOrDefault("--steps", "30")), Integer.parseInt(o.getOrDefault("--threads", "1")),
                        o.getOrDefault("--device", "cpu"), o.containsKey("--profile") ? Path.of(o.get("--profile")) : null)
                        .toMap();
            } else if (args.length > 0 && args[0].equals("data")) {
                result = DataLoadBenchmark.measure(Path.of(need(o, "--path")));
            } else {
                throw new ConfigException("bench worker: the first argument must be step or data");
            }
            Files.writeString(Path.of(need(o, "--out")), ConfigJson.GSON.toJson(result), StandardCharsets.UTF_8);
            return 0;
        } catch (ConfigException | NumberFormatException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static String need(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new ConfigException("bench worker: missing " + key);
        }
        return v;
    }
}
