package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import picocli.CommandLine;

/** Exit codes and messages of the command line; bad input writes nothing. */
class CliTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private void assertBadInput(String expectedText, String... args) {
        Path results = tmp.resolve("results");
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--results";
        all[args.length + 1] = results.toString();
        Result r = run(all);
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        assertTrue(r.err().contains(expectedText), "message should mention '" + expectedText + "': " + r.err());
        assertFalse(Files.exists(results), "bad input must write no run directory");
    }

    @Test
    void helpListsTheCommands() {
        Result r = run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"train", "evaluate", "metrics"}) {
            assertTrue(r.out().contains(c), c);
        }
    }

    @Test
    void unknownFusion() {
        assertBadInput("attention, pooled, concat", "train", "--fusion", "sum");
    }

    @Test
    void negativeLearningRate() {
        assertBadInput("lrMain", "train", "--lr-main", "-0.001");
    }

    @Test
    void missingConfigFile() {
        assertBadInput("file not found", "train", "--config", tmp.resolve("nope.json").toString());
    }

    @Test
    void missingDatasetFile() {
        assertBadInput("path: file not found", "train", "--dataset", "mmsa", "--path", tmp.resolve("x.pkl").toString());
    }

    @Test
    void unknownKeyInConfigFile() throws IOException {
        Path cfg = tmp.resolve("c.json");
        Files.writeString(cfg, "{\"epochz\": 3}");
        assertBadInput("epochz", "train", "--config", cfg.toString());
    }

    @Test
    void notANumber() {
        assertBadInput("epochs", "train", "--epochs", "many");
    }

    @Test
    void metricsOfAPredictionsFile() throws IOException {
        Path csv = tmp.resolve("p.csv");
        Files.writeString(csv, "id,label,prediction\na,1.0,0.5\nb,-2.0,-1.0\nc,0.0,0.4\n");
        Result r = run("metrics", "--predictions", csv.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals((0.5 + 1.0 + 0.4) / 3, json.get("mae").getAsDouble(), 1e-6);
        assertEquals(3, json.get("n").getAsInt());
        Files.writeString(csv, "prediction,truth\n1,2\n");
        Result bad = run("metrics", "--predictions", csv.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("label"));
        Files.writeString(csv, "prediction,label\n1,two\n");
        Result nan = run("metrics", "--predictions", csv.toString());
        assertEquals(2, nan.code());
        assertTrue(nan.err().contains("line 2"));
        Files.writeString(csv, "prediction,label\n1e308,1\n");
        Result huge = run("metrics", "--predictions", csv.toString());
        assertEquals(2, huge.code());
        assertTrue(huge.err().contains("outside the float range") && !huge.err().contains("not a finite"), huge.err());
    }

    /** bench checks its options before measuring anything. */
    @Test
    void benchRejectsBadOptionsAtOnce() {
        Result device = run("bench", "--out", tmp.resolve("b.json").toString(), "--device", "tpu");
        assertEquals(2, device.code());
        assertTrue(device.err().contains("--device must be cpu or gpu"), device.err());
        Result steps = run("bench", "--out", tmp.resolve("b.json").toString(), "--steps", "-1", "--processes", "0");
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("at least 1"), steps.err());
        Result out = run("bench", "--out", tmp.resolve("missing/b.json").toString());
        assertEquals(2, out.code());
        assertTrue(out.err().contains("does not exist or is not writable"), out.err());
        assertFalse(Files.exists(tmp.resolve("b.json")));
    }

    /** A 0-byte or cut checkpoint is named as such, not as a checkpoint of another config. */
    @Test
    void evaluateOfADamagedCheckpoint() throws IOException {
        Path results = tmp.resolve("results");
        assertEquals(0, run("train", "--config", "tiny", "--epochs", "1", "--quiet", "--tensorboard", "false",
                "--diagnostics", "false", "--results", results.toString()).code());
        Path runDir;
        try (java.util.stream.Stream<Path> s = Files.list(results)) {
            runDir = s.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
        }
        Path npz = runDir.resolve("checkpoint/model.npz");
        byte[] good = Files.readAllBytes(npz);
        Files.write(npz, new byte[0]);
        Result empty = run("evaluate", "--checkpoint", runDir.toString());
        assertEquals(2, empty.code(), empty.err());
        assertTrue(empty.err().startsWith("error: ") && empty.err().contains("not a checkpoint (0 bytes"), empty.err());
        Files.write(npz, java.util.Arrays.copyOf(good, good.length / 2));
        Result cut = run("evaluate", "--checkpoint", runDir.toString());
        assertEquals(2, cut.code(), cut.err());
        assertTrue(cut.err().contains("not a readable checkpoint (a truncated or damaged .npz"), cut.err());
        assertEquals(1, cut.err().lines().filter(l -> l.startsWith("error:")).count(), cut.err());
    }

    @Test
    void evaluateOfSomethingThatIsNotARun() {
        Result r = run("evaluate", "--checkpoint", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("config.json"));
    }

    /**
     * Slurm options are checked before the grid's folder, spec or batch script is written and
     * before sbatch is called, so this needs no Slurm: exit 2, one error line naming the option.
     */
    @Test
    void badSlurmOptionsWriteNothingAndCallNoSbatch() {
        String[][] cases = {
            {"--time", "abc", "--time: 'abc' is not a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS"},
            {"--time", "1:75", "--time: '1:75' has seconds 75"},
            {"--mem", "lots", "--mem: 'lots' is not a Slurm memory size"},
            {"--partition", "cpu gpu", "--partition: 'cpu gpu' is not a Slurm partition name"},
            {"--cpus-per-task", "-1", "--cpus-per-task: -1 is not a count"},
            {"--gpus-per-task", "-2", "--gpus-per-task: -2 is not a count"},
            {"--sbatch-option", "account=lab", "--sbatch-option: 'account=lab' is not an sbatch option"},
        };
        for (String[] c : cases) {
            for (String launcher : new String[] {"slurm", "local"}) {
                Path results = tmp.resolve("results-" + launcher);
                Result r = run("ablate", "--grid", "smoke", "--launcher", launcher, "--no-wait", c[0], c[1],
                        "--results", results.toString());
                assertEquals(2, r.code(), c[0] + " " + c[1] + ": " + r.err());
                java.util.List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
                assertEquals(1, errors.size(), r.err());
                assertTrue(errors.get(0).startsWith("error: " + c[2]), errors.get(0));
                assertTrue(r.err().lines().count() <= 2, "one error line and at most one hint: " + r.err());
                assertFalse(Files.exists(results), "bad Slurm options must write nothing: " + results);
            }
        }
    }
}
