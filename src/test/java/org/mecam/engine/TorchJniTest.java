package org.mecam.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mecam.experiment.grid.GridRunner;

/**
 * scripts/torch-jni.sh builds DJL's JNI against torch 2.13.0+cpu from the package index (into
 * {@code .cache/torch-jni/}, which {@code mvn clean} keeps, reused while the torch and the sources stay the same), and the tiny
 * preset trains on it to the metrics of the bundled libtorch 2.7.1.
 *
 * <p>"The same metrics" means equal up to float32 rounding: the two libtorch builds use different
 * kernels, so sums are rounded differently (measured: test MAE 1.0942459 vs 1.0942460 after two
 * epochs). A wrong kernel on either side shows as differences of 1e-3 and more (the oneDNN LSTM
 * fault that {@link LstmKernelTest} checks moved the first epoch's stage-0 value from -1.11 to
 * -0.70). Skipped, saying so, without a C++ compiler, CMake or a Python with venv, where pip
 * cannot get torch 2.13.0+cpu (no package index and no network), or where DJL's JNI sources are
 * neither beside the repository nor downloadable.
 */
@Tag("integration")
class TorchJniTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path WORK = ROOT.resolve(".cache/torch-jni"); // not under target/: mvn clean keeps it
    private static final String TORCH = "torch==2.13.0+cpu";

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void buildsTheJniAgainstTorch213AndTrainsTheSame() throws Exception {
        Assumptions.assumeTrue(onPath("cmake"), "skipped: no cmake on the PATH (Debian: apt-get install cmake)");
        Assumptions.assumeTrue(onPath("c++") || onPath("g++"), "skipped: no C++ compiler on the PATH (Debian: apt-get install g++)");
        Assumptions.assumeTrue(onPath("python3"), "skipped: no python3 on the PATH");
        Files.createDirectories(WORK);
        Path python = venvWithTorch();

        List<String> build = List.of("bash", ROOT.resolve("scripts/torch-jni.sh").toString(), "--python", python.toString(),
                "--cache", WORK.resolve("djl").toString());
        Result built = run(build, Map.of("MECAM_CLASSPATH", System.getProperty("java.class.path")), null, WORK.resolve("build.log"));
        Assumptions.assumeFalse(built.code != 0 && built.output.contains("could not download"),
                "skipped: no DJL JNI sources beside the repository (../shared/djl-jni-src, or MECAM_DJL_SRC) and"
                        + " the v0.36.0 archive could not be downloaded:\n" + built.output);
        assertEquals(0, built.code, "torch-jni.sh failed:\n" + built.output);
        String[] lines = built.output.strip().split("\n");
        Path env = Path.of(lines[lines.length - 1].strip());
        assertTrue(Files.isRegularFile(env), "no environment file: " + built.output);
        assertTrue(Files.isRegularFile(env.resolveSibling("0.36.0-libdjl_torch.so")), "no JNI next to " + env);

        JsonObject bundled = train("bundled", null);
        JsonObject local = train("torch-2.13", env);
        JsonObject runtime = local.getAsJsonObject("config").getAsJsonObject("provenance").getAsJsonObject("runtime");
        assertEquals("2.13.0", runtime.get("engineVersion").getAsString(), runtime.toString());
        assertTrue(runtime.get("libtorch").getAsString().contains("version 2.13.0"), runtime.toString());
        assertEquals("2.7.1", bundled.getAsJsonObject("config").getAsJsonObject("provenance").getAsJsonObject("runtime")
                .get("engineVersion").getAsString());

        JsonObject a = bundled.getAsJsonObject("metrics");
        JsonObject b = local.getAsJsonObject("metrics");
        int compared = 0;
        for (String key : List.of("mae", "corr", "acc7", "acc5", "acc2_has0", "f1_has0", "acc2_non0", "f1_non0",
                "valid_mae", "best_epoch", "epochs_run")) {
            assertEquals(a.get(key).getAsDouble(), b.get(key).getAsDouble(), 1e-5, key + ": bundled " + a.get(key)
                    + ", torch 2.13 " + b.get(key));
            compared++;
        }
        assertEquals(11, compared);
        List<String> pa = lines(bundled.get("predictions").getAsString());
        List<String> pb = lines(local.get("predictions").getAsString());
        assertEquals(pa.size(), pb.size());
        double worst = 0;
        for (int i = 1; i < pa.size(); i++) {
            worst = Math.max(worst, Math.abs(Double.parseDouble(pa.get(i).split(",")[2]) - Double.parseDouble(pb.get(i).split(",")[2])));
        }
        assertTrue(worst < 1e-4, "predictions differ by up to " + worst);
    }

    /** @return a venv's python with torch 2.13.0+cpu, made under .cache/torch-jni/venv when missing */
    private static Path venvWithTorch() throws Exception {
        Path venv = WORK.resolve("venv");
        Path python = venv.resolve("bin/python");
        if (Files.isExecutable(python) && run(List.of(python.toString(), "-c", "import torch; assert torch.__version__ == '2.13.0+cpu'"),
                Map.of(), null, WORK.resolve("check.log")).code == 0) {
            return python;
        }
        Result made = run(List.of("python3", "-m", "venv", "--clear", venv.toString()), Map.of(), null, WORK.resolve("venv.log"));
        Assumptions.assumeTrue(made.code == 0, "skipped: python3 -m venv failed (Debian: apt-get install python3-venv): " + made.output);
        List<String> pip = new ArrayList<>(List.of(python.toString(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"));
        pip.addAll(localIndexes(python));
        pip.add(TORCH);
        Result installed = run(pip, Map.of(), null, WORK.resolve("pip.log"));
        Assumptions.assumeTrue(installed.code == 0, "skipped: pip could not install " + TORCH
                + " (no package index with it and no network?):\n" + installed.output);
        return python;
    }

    /**
     * The pip options for local package indexes (file:// URLs in `pip config list`), as
     * scripts/python-env.sh does: the first as the index, the others as extra indexes, so that
     * pip does not wait on an unreachable PyPI.
     */
    private static List<String> localIndexes(Path python) throws Exception {
        Result config = run(List.of(python.toString(), "-m", "pip", "config", "list"), Map.of(), null, WORK.resolve("pip-config.log"));
        List<String> urls = new ArrayList<>();
        for (String line : config.output.split("\n")) {
            if (line.matches("^[^=]*index-url=.*")) {
                String value = line.substring(line.indexOf('=') + 1).replaceAll("^'|'$", "").replace("\\n", " ");
                for (String url : value.split("\\s+")) {
                    if (url.startsWith("file://")) {
                        urls.add(url);
                    }
                }
            }
        }
        List<String> args = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            args.add(i == 0 ? "--index-url" : "--extra-index-url");
            args.add(urls.get(i));
        }
        return args;
    }

    /** Trains the tiny preset for 2 epochs in a fresh JVM, on the bundled libtorch or the one of {@code env}. */
    private static JsonObject train(String name, Path env) throws Exception {
        Path results = WORK.resolve("runs-" + name);
        org.mecam.experiment.run.RunDirectory.deleteRecursively(results);
        List<String> java = new ArrayList<>(GridRunner.javaCommand());
        java.addAll(List.of("org.mecam.cli.Main", "train", "--preset", "tiny", "--epochs", "2", "--quiet",
                "--tensorboard", "false", "--results", results.toString()));
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", env == null ? "exec \"$@\"" : ". \"$0\" && exec \"$@\""));
        cmd.add(env == null ? "bash" : env.toString());
        cmd.addAll(java);
        Result r = run(cmd, Map.of(), null, WORK.resolve("train-" + name + ".log"));
        assertEquals(0, r.code, "training on " + name + " failed:\n" + r.output);
        Path run;
        try (Stream<Path> s = Files.list(results)) {
            run = s.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
        }
        JsonObject out = new JsonObject();
        out.add("metrics", parse(run.resolve("metrics.json")));
        out.add("config", parse(run.resolve("config.json")));
        out.addProperty("predictions", Files.readString(run.resolve("predictions.csv")));
        return out;
    }

    private static JsonElement parse(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file));
    }

    private static List<String> lines(String s) {
        return List.of(s.strip().split("\n"));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private record Result(int code, String output) {}

    private static Result run(List<String> cmd, Map<String, String> env, Path dir, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        int code = p.waitFor();
        return new Result(code, Files.readString(log, StandardCharsets.UTF_8));
    }
}
