package org.mecam.experiment.run;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Where a run came from: code version, library versions, machine. */
public final class Provenance {

    private Provenance() {}

    /** @return the git commit of the working directory (with "-dirty" if it has changes), or "unknown" */
    public static String gitCommit() {
        String head = git("rev-parse", "HEAD");
        if (head == null) {
            return "unknown";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return status != null && !status.isBlank() ? head + "-dirty" : head;
    }

    private static String git(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** @return versions of the kit, DJL, libtorch, Java and the libraries that shape results */
    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("mecam", mavenVersion("org.mecam", "mecam", "development build"));
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", Engine.getEngine("PyTorch").getVersion());
        v.put("java", System.getProperty("java.runtime.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        v.put("tablesaw", mavenVersion("tech.tablesaw", "tablesaw-core", "unknown"));
        v.put("xchart", mavenVersion("org.knowm.xchart", "xchart", "unknown"));
        v.put("gson", mavenVersion("com.google.code.gson", "gson", "unknown"));
        return v;
    }

    /** @return the machine: cores and maximum heap */
    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return m;
    }

    /** @return a library's version from its jar's Maven metadata */
    static String mavenVersion(String group, String artifact, String fallback) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Provenance.class.getResourceAsStream(resource)) {
            if (in == null) {
                return fallback;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", fallback);
        } catch (IOException e) {
            return fallback;
        }
    }
}
