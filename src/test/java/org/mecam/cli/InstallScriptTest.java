package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install.sh puts a {@code mecam} link on the PATH, and the launcher found through that
 * link still starts its own checkout's jar: checked on a copy of the two scripts in a checkout
 * layout, with a stand-in java that prints what it was asked to run.
 */
@Tag("integration")
class InstallScriptTest {

    @TempDir
    Path tmp;

    private static String run(Path cwd, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().remove("MECAM_JAR");
        pb.environment().remove("MECAM_TORCH");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theLinkedLauncherStartsItsCheckoutsJar() throws Exception {
        Path checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout.resolve("scripts"));
        Files.createDirectories(checkout.resolve("target"));
        for (String s : List.of("mecam", "install.sh")) {
            Files.copy(Path.of("scripts", s), checkout.resolve("scripts").resolve(s));
        }
        Files.writeString(checkout.resolve("target/mecam.jar"), "");
        Path fakeJava = tmp.resolve("fake-java");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"java $*\"\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path prefix = tmp.resolve("prefix");
        String installed = run(tmp, Map.of("HOME", tmp.toString()), "bash",
                checkout.resolve("scripts/install.sh").toString(), "--prefix", prefix.toString());
        assertTrue(installed.contains("installed " + prefix.resolve("bin/mecam")), installed);
        assertTrue(Files.isSymbolicLink(prefix.resolve("bin/mecam")));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        String started = run(elsewhere, Map.of("HOME", tmp.toString(), "MECAM_JAVA", fakeJava.toString()),
                prefix.resolve("bin/mecam").toString(), "train", "--epochs", "1");
        assertTrue(started.contains("-jar " + checkout.toRealPath().resolve("target/mecam.jar") + " train --epochs 1"),
                started);
    }
}
