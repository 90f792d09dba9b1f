package org.mecam.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.cli.Main;
import picocli.CommandLine;

/** The kernelspec installer, the notebooks' scale knobs, and the kernel's classpath and glob helpers. */
class KernelSupportTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void installWritesAKernelspecJupyterCanStart() throws Exception {
        Path jar = Files.createFile(tmp.resolve("mecam.jar"));
        Result r = cli("kernel", "install", "--prefix", tmp.resolve("prefix").toString(), "--classpath", jar.toString(),
                "--jvm-option=-Xmx6g", "--env", "MAX_EPOCH=2");
        assertEquals(0, r.code(), r.err());
        Path dir = tmp.resolve("prefix/share/jupyter/kernels/mecam-java");
        assertTrue(r.out().contains(dir.toString()), r.out());
        JsonObject spec = JsonParser.parseString(Files.readString(dir.resolve("kernel.json"))).getAsJsonObject();
        assertEquals("Java " + Runtime.version().feature() + " (MECAM)", spec.get("display_name").getAsString());
        assertEquals("java", spec.get("language").getAsString());
        assertEquals("message", spec.get("interrupt_mode").getAsString(), "SIGINT would kill the JVM");
        assertEquals("2", spec.getAsJsonObject("env").get("MAX_EPOCH").getAsString());
        JsonArray argv = spec.getAsJsonArray("argv");
        assertTrue(Files.isExecutable(Path.of(argv.get(0).getAsString())), "an absolute java");
        List<String> args = argv.asList().stream().map(e -> e.getAsString()).toList();
        assertEquals(List.of("org.mecam.cli.Main", "kernel", "run", "{connection_file}"), args.subList(args.size() - 4,
                args.size()));
        assertEquals(jar.toAbsolutePath().toString(), args.get(args.indexOf("-cp") + 1));
        assertTrue(args.contains("-Xmx6g") && args.contains("-Djava.awt.headless=true"));
        assertEquals(64, ImageIO.read(dir.resolve("logo-64x64.png").toFile()).getWidth());

        // installing again replaces the spec whole
        assertEquals(0, cli("kernel", "install", "--prefix", tmp.resolve("prefix").toString(), "--classpath",
                jar.toString(), "--display-name", "Other").code());
        assertEquals("Other", JsonParser.parseString(Files.readString(dir.resolve("kernel.json"))).getAsJsonObject()
                .get("display_name").getAsString());
        try (var s = Files.list(dir.getParent())) {
            assertEquals(1, s.count(), "no staging directory is left");
        }
    }

    @Test
    void installLeavesAnotherKernelOfTheSameNameAlone() throws Exception {
        Path jar = Files.createFile(tmp.resolve("mecam.jar"));
        Path other = Files.createDirectories(tmp.resolve("prefix/share/jupyter/kernels/python3"));
        String ipykernel = "{\"argv\": [\"python\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"]}";
        Files.writeString(other.resolve("kernel.json"), ipykernel);
        Result r = cli("kernel", "install", "--prefix", tmp.resolve("prefix").toString(), "--classpath", jar.toString(),
                "--name", "python3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds another kernel"), r.err());
        assertEquals(ipykernel, Files.readString(other.resolve("kernel.json")), "the other kernel is untouched");
    }

    @Test
    void badInstallsNameTheProblemAndWriteNothing() {
        Path prefix = tmp.resolve("p");
        Result r = cli("kernel", "install", "--prefix", prefix.toString(), "--classpath", tmp.resolve("missing.jar").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.jar") && r.err().contains("does not exist"), r.err());
        assertFalse(Files.exists(prefix.resolve("share/jupyter/kernels/mecam-java")));
        r = cli("kernel", "install", "--prefix", prefix.toString(), "--name", "bad name!");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad name!"), r.err());
        r = cli("kernel", "install", "--user", "--sys-prefix");
        assertEquals(2, r.code(), "one place at a time");
        r = cli("kernel", "install", "--prefix", prefix.toString(), "--python", "python3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--python only applies with --sys-prefix"), r.err());
        r = cli("kernel", "run", tmp.resolve("no-such-connection.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no-such-connection.json"), r.err());
    }

    @Test
    void userScopeFollowsJupyterDataDir() {
        Path dir = KernelInstaller.kernelsDir(KernelInstaller.Scope.USER, null);
        String explicit = System.getenv("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) {
            assertEquals(Path.of(explicit, "kernels"), dir);
        } else {
            assertTrue(dir.endsWith(Path.of("jupyter", "kernels")), dir.toString());
        }
        assertEquals(Path.of("/opt/x/share/jupyter/kernels"), KernelInstaller.kernelsDir(KernelInstaller.Scope.PREFIX, "/opt/x"));
    }

    @Test
    void classpathOfAJarIncludesItsManifestClassPath() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Path dep = Files.createFile(lib.resolve("dep.jar"));
        Path jar = tmp.resolve("app.jar");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/dep.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        String saved = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", jar.toString());
            assertEquals(List.of(jar.toAbsolutePath().toString(), dep.toAbsolutePath().toString()),
                    KernelClasspath.runtimeClasspath());
        } finally {
            System.setProperty("java.class.path", saved);
        }
    }

    @Test
    void globsResolveLikeIJavasMagics() throws Exception {
        Files.createDirectories(tmp.resolve("target/lib/sub"));
        Files.createFile(tmp.resolve("target/lib/a.jar"));
        Files.createFile(tmp.resolve("target/lib/b.jar"));
        Files.createFile(tmp.resolve("target/lib/c.txt"));
        Files.createFile(tmp.resolve("target/lib/sub/d.jar"));
        assertEquals(List.of(tmp.resolve("target/lib/a.jar"), tmp.resolve("target/lib/b.jar")),
                KernelClasspath.glob(tmp, "target/lib/*.jar"));
        assertEquals(3, KernelClasspath.glob(tmp, "target/**.jar").size());
        assertEquals(List.of(tmp.resolve("target/lib/c.txt")), KernelClasspath.glob(tmp, "target/lib/c.txt"));
        assertTrue(KernelClasspath.glob(tmp, "nowhere/*.jar").isEmpty());
    }
}
