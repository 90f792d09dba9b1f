package org.mecam.kernel;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;

/**
 * Writes the kernelspec of {@link MecamKernel} ({@code kernel.json} and logos) where Jupyter looks
 * for kernels: the user's data directory, a Python environment's prefix, or any prefix.
 */
public final class KernelInstaller {

    private KernelInstaller() {}

    /** Where to install, as {@code jupyter kernelspec install} names it. */
    public enum Scope { USER, SYS_PREFIX, PREFIX }

    /**
     * What to install.
     *
     * @param name the kernelspec name (directory)
     * @param displayName the name JupyterLab shows
     * @param java the java executable
     * @param classpath the kernel's classpath (the kit's jar, or classes and jars)
     * @param jvmOptions extra JVM options (e.g. {@code -Xmx8g})
     * @param env environment variables of the kernel process
     */
    public record Spec(String name, String displayName, Path java, List<String> classpath, List<String> jvmOptions,
            Map<String, String> env) {

        /** @return the spec of this JVM: its java, its classpath, "Java N (MECAM)" */
        public static Spec ofThisJvm() {
            List<String> cp = new ArrayList<>();
            for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    cp.add(Path.of(e).toAbsolutePath().normalize().toString());
                }
            }
            return new Spec(MecamKernel.NAME, "Java " + Runtime.version().feature() + " (MECAM)",
                    Path.of(System.getProperty("java.home"), "bin", "java"), cp, List.of(), Map.of());
        }

        /** @return the {@code kernel.json} content */
        public Map<String, Object> kernelJson() {
            List<String> argv = new ArrayList<>();
            argv.add(java.toString());
            argv.add("-Djava.awt.headless=true");
            argv.addAll(jvmOptions);
            argv.add("-cp");
            argv.add(String.join(File.pathSeparator, classpath));
            argv.addAll(List.of("org.mecam.cli.Main", "kernel", "run", "{connection_file}"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("argv", argv);
            m.put("display_name", displayName);
            m.put("language", "java");
            m.put("interrupt_mode", "message");
            m.put("env", env);
            m.put("metadata", Map.of("debugger", false));
            return m;
        }
    }

    /**
     * @param scope where
     * @param prefix the prefix of {@link Scope#PREFIX}, or the Python of {@link Scope#SYS_PREFIX} (may be null)
     * @return the kernels directory of the scope ({@code .../jupyter/kernels})
     */
    public static Path kernelsDir(Scope scope, String prefix) {
        return switch (scope) {
            case USER -> userDataDir().resolve("kernels");
            case PREFIX -> {
                if (prefix == null || prefix.isBlank()) {
                    throw new ConfigException("kernel install --prefix needs a directory");
                }
                yield Path.of(prefix).toAbsolutePath().normalize().resolve("share").resolve("jupyter").resolve("kernels");
            }
            case SYS_PREFIX -> sysPrefix(prefix).resolve("share").resolve("jupyter").resolve("kernels");
        };
    }

    /** @return Jupyter's per-user data directory, as jupyter_core computes it */
    static Path userDataDir() {
        String explicit = System.getenv("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Path home = Path.of(System.getProperty("user.home"));
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) {
            return home.resolve("Library").resolve("Jupyter");
        }
        if (os.contains("win")) {
            String appdata = System.getenv("APPDATA");
            return (appdata == null ? home.resolve("AppData").resolve("Roaming") : Path.of(appdata)).resolve("jupyter");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg == null || xdg.isBlank() ? home.resolve(".local").resolve("share") : Path.of(xdg)).resolve("jupyter");
    }

    /**
     * @param python a Python executable, or null: the active virtual or conda environment, else
     *     {@code python3} on the PATH
     * @return that Python's {@code sys.prefix}
     */
    static Path sysPrefix(String python) {
        if (python == null || python.isBlank()) {
            for (String var : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
                String v = System.getenv(var);
                if (v != null && !v.isBlank()) {
                    return Path.of(v);
                }
            }
            python = "python3";
        }
        try {
            Path log = Files.createTempFile("mecam-sys-prefix", ".txt");
            String out;
            boolean done;
            try {
                Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)").redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                done = p.waitFor(30, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly();
                }
                done = done && p.exitValue() == 0;
                out = Files.readString(log, StandardCharsets.UTF_8).strip();
            } finally {
                Files.deleteIfExists(log);
            }
            if (!done || out.isEmpty()) {
                throw new ConfigException("kernel install --sys-prefix: '" + python + "' did not print its sys.prefix: "
                        + out);
            }
            return Path.of(out.lines().reduce((a, b) -> b).orElse(out));
        } catch (IOException e) {
            throw new ConfigException("kernel install --sys-prefix: cannot run '" + python + "' (" + e.getMessage()
                    + "); activate the environment that runs Jupyter, or pass --python PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("kernel install --sys-prefix: interrupted");
        }
    }

    /**
     * Writes {@code <kernels>/<name>/kernel.json} and the logos, replacing an earlier install
     * whole.
     *
     * @return the kernelspec directory
     */
    public static Path install(Spec spec, Path kernelsDir) throws IOException {
        if (!spec.name().matches("[a-zA-Z0-9._-]+")) {
            throw new ConfigException("kernel name '" + spec.name() + "': use letters, digits, '.', '_' and '-' only");
        }
        for (String entry : spec.classpath()) {
            if (!Files.exists(Path.of(entry))) {
                throw new ConfigException("kernel classpath entry " + entry + " does not exist (build the kit first:"
                        + " mvn -B -DskipTests package)");
            }
        }
        Files.createDirectories(kernelsDir);
        Path target = kernelsDir.resolve(spec.name());
        Path staging = Files.createTempDirectory(kernelsDir, "." + spec.name() + "-");
        try {
            Files.writeString(staging.resolve("kernel.json"), ConfigJson.GSON.toJson(spec.kernelJson()) + "\n",
                    StandardCharsets.UTF_8);
            for (int size : new int[] {32, 64}) {
                ImageIO.write(logo(size), "png", staging.resolve("logo-" + size + "x" + size + ".png").toFile());
            }
            if (Files.exists(target)) {
                requireOwn(target);
                org.mecam.experiment.run.RunDirectory.deleteRecursively(target);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(staging)) {
                org.mecam.experiment.run.RunDirectory.deleteRecursively(staging);
            }
        }
        return target;
    }

    /** Refuses to replace a kernelspec that is not this kit's kernel (e.g. {@code --name python3}). */
    private static void requireOwn(Path dir) {
        String json;
        try {
            json = Files.readString(dir.resolve("kernel.json"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            json = "";
        }
        if (!json.contains("org.mecam.cli.Main")) {
            throw new ConfigException("kernel install: " + dir + " holds another kernel (its kernel.json does not run"
                    + " org.mecam.cli.Main); choose another --name, or remove it with: jupyter kernelspec remove "
                    + dir.getFileName());
        }
    }

    /** @return the kernel's logo: a teal square with "M" */
    static BufferedImage logo(int size) {
        org.mecam.report.HeadlessFonts.ensure();
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0, 114, 178));
        g.fillRoundRect(0, 0, size, size, size / 4, size / 4);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) (size * 0.7)));
        var fm = g.getFontMetrics();
        g.drawString("M", (size - fm.stringWidth("M")) / 2, (size - fm.getHeight()) / 2 + fm.getAscent());
        g.dispose();
        return img;
    }
}
