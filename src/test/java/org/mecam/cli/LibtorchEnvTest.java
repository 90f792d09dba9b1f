package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.experiment.grid.GridRunner;

/**
 * A libtorch environment file (scripts/torch-jni.sh's) that names a folder that is gone, or one
 * without libtorch, stops the CLI in its own JVM with exit 2 and one {@code error:} line naming the
 * folder, before any run directory is made (not DJL's "Offline mode is enabled", exit 4); and
 * scripts/mecam itself refuses such a file.
 */
@Tag("integration")
class LibtorchEnvTest {

    @TempDir
    Path tmp;

    record Outcome(int code, String err) {
        List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith("error:")).toList();
        }
    }

    private Outcome run(List<String> cmd, Map<String, String> env) throws Exception {
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PYTORCH_") || k.startsWith("MECAM_"));
        pb.environment().put("MECAM_THREADS", "1");
        pb.environment().put("HOME", tmp.toString()); // no ~/.config/mecam/torch.env of the user's
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI did not finish: " + cmd);
        return new Outcome(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    }

    private Outcome mecam(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(GridRunner.javaCommand());
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return run(cmd, env);
    }

    /** An environment file as torch-jni.sh writes it, for {@code libDir}. */
    private Map<String, String> envFile(Path libDir, Path file) throws IOException {
        Files.writeString(file, "export PYTORCH_LIBRARY_PATH='" + libDir + "'\nexport PYTORCH_VERSION='2.13.0'\n"
                + "export PYTORCH_FLAVOR='cpu'\nexport DJL_CACHE_DIR='" + tmp.resolve("djl") + "'\n"
                + "export MECAM_TORCH_PYTHON='/venv/bin/python'\n");
        return Map.of("PYTORCH_LIBRARY_PATH", libDir.toString(), "PYTORCH_VERSION", "2.13.0", "PYTORCH_FLAVOR", "cpu",
                "DJL_CACHE_DIR", tmp.resolve("djl").toString(), "MECAM_TORCH", file.toString(),
                "MECAM_TORCH_PYTHON", "/venv/bin/python");
    }

    private static void expect(Outcome o, String... fragments) {
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.errorLines().size(), "one error line: " + o.err());
        for (String f : fragments) {
            assertTrue(o.errorLines().get(0).contains(f), "should name '" + f + "': " + o.err());
        }
        assertFalse(o.err().contains("Offline mode") || o.err().contains("\tat "), o.err());
    }

    @Test
    void missingFolderStopsTrainAndAGridBeforeAnyRunDirectory() throws Exception {
        Path gone = tmp.resolve("venv/lib/python3.12/site-packages/torch/lib");
        Path file = tmp.resolve("torch.env");
        Map<String, String> env = envFile(gone, file);
        Path results = tmp.resolve("results");
        expect(mecam(env, "train", "--config", "tiny", "--epochs", "1", "--quiet", "--results", results.toString()),
                "libtorch folder " + gone, "PYTORCH_LIBRARY_PATH from " + file, "does not exist",
                "scripts/torch-jni.sh", "--torch bundled");
        assertFalse(Files.exists(results), "no run directory");
        expect(mecam(env, "ablate", "--grid", "smoke", "--results", results.toString()), "libtorch folder " + gone);
        assertFalse(Files.exists(results), "no grid folder");
    }

    @Test
    void folderWithoutLibtorch() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("site-packages/torch/lib"));
        Files.writeString(lib.resolve("libc10.so"), "x");
        Path file = tmp.resolve("torch.env");
        Path results = tmp.resolve("results");
        expect(mecam(envFile(lib, file), "train", "--config", "tiny", "--epochs", "1", "--quiet", "--results",
                results.toString()), "libtorch folder " + lib, "holds no libtorch.so", "PYTORCH_LIBRARY_PATH from " + file);
        assertFalse(Files.exists(results), "no run directory");
    }

    /** scripts/mecam checks the folder right after reading the file, before it looks for the jar. */
    @Test
    void scriptRefusesAFileWhoseFolderIsGone() throws Exception {
        Path gone = tmp.resolve("conda/envs/old/lib/python3.11/site-packages/torch/lib");
        Path file = tmp.resolve("torch.env");
        envFile(gone, file);
        Path script = Path.of("scripts/mecam").toAbsolutePath();
        Outcome o = run(List.of("bash", script.toString(), "--torch", file.toString(), "train", "--results",
                tmp.resolve("results").toString()), Map.of());
        expect(o, "libtorch folder " + gone + " (PYTORCH_LIBRARY_PATH from " + file + ") does not exist",
                "scripts/torch-jni.sh --python /venv/bin/python", "--torch bundled");
        assertFalse(Files.exists(tmp.resolve("results")));
        Files.writeString(file, "# nothing\n");
        expect(run(List.of("bash", script.toString(), "--torch", file.toString(), "train"), Map.of()),
                file + " sets no PYTORCH_LIBRARY_PATH");
    }
}
