package org.mecam.kernel;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import jdk.jshell.JShell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's class path: this JVM's (with the jars that manifests name), and what IJava's
 * {@code %classpath} and {@code %jars} magics add, each entry once.
 */
final class KernelClasspath {

    private static final Logger LOG = LoggerFactory.getLogger(KernelClasspath.class);

    private final JShell jshell;
    private final Set<String> classpath = new LinkedHashSet<>();

    KernelClasspath(JShell jshell) {
        this.jshell = jshell;
    }

    /** @return this JVM's classpath with the jars named by manifests' Class-Path (e.g. target/lib/ of mecam.jar) */
    static List<String> runtimeClasspath() {
        Set<String> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                withManifest(Path.of(e).toAbsolutePath().normalize(), out);
            }
        }
        return new ArrayList<>(out);
    }

    private static void withManifest(Path p, Set<String> out) {
        if (!out.add(p.toString()) || !p.toString().endsWith(".jar") || !Files.isRegularFile(p)) {
            return;
        }
        try (JarFile jar = new JarFile(p.toFile())) {
            Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return;
            }
            for (String entry : cp.trim().split("\\s+")) {
                Path resolved = entry.startsWith("file:") ? Path.of(URI.create(entry))
                        : p.getParent().resolve(entry.replace('/', File.separatorChar));
                withManifest(resolved.toAbsolutePath().normalize(), out);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the manifest of {}: {}", p, e.toString());
        }
    }

    /** Adds entries to JShell's class path, each once. */
    void add(List<String> entries) {
        List<String> fresh = new ArrayList<>();
        for (String e : entries) {
            if (classpath.add(e)) {
                fresh.add(e);
            }
        }
        if (!fresh.isEmpty()) {
            jshell.addToClasspath(String.join(File.pathSeparator, fresh));
        }
    }

    /** IJava's {@code %classpath} (files and directories, globs) and {@code %jars} (jar files, globs). */
    void addPaths(String magic, List<String> args, boolean directories) throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(magic + " needs at least one path or glob");
        }
        Path cwd = Path.of("").toAbsolutePath();
        List<String> found = new ArrayList<>();
        for (String arg : args) {
            for (String part : arg.split(File.pathSeparator)) {
                if (part.isBlank()) {
                    continue;
                }
                List<Path> matches = glob(cwd, part);
                List<Path> usable = matches.stream().filter(p -> directories ? Files.exists(p) : Files.isRegularFile(p))
                        .toList();
                if (usable.isEmpty()) {
                    throw new IllegalArgumentException(magic + " " + part + ": no " + (directories ? "file or directory"
                            : "jar file") + " matches (relative to " + cwd + ")");
                }
                usable.forEach(p -> found.add(p.toAbsolutePath().normalize().toString()));
            }
        }
        add(found);
    }

    /** @return the paths matching a glob ({@code *}, {@code ?}, {@code **}, {@code [..]}, {@code {a,b}}), relative to {@code cwd} */
    static List<Path> glob(Path cwd, String pattern) throws IOException {
        String norm = pattern.replace('\\', '/');
        List<String> parts = new ArrayList<>(List.of(norm.split("/", -1)));
        int literal = 0;
        while (literal < parts.size() && !parts.get(literal).matches(".*[*?\\[{].*")) {
            literal++;
        }
        if (literal == parts.size()) {
            Path p = cwd.resolve(pattern);
            return Files.exists(p) ? List.of(p) : List.of();
        }
        String prefix = String.join("/", parts.subList(0, literal));
        Path base = prefix.isEmpty() && norm.startsWith("/") ? Path.of("/") : cwd.resolve(prefix.isEmpty() ? "." : prefix);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        String rest = String.join("/", parts.subList(literal, parts.size()));
        var matcher = base.getFileSystem().getPathMatcher("glob:" + rest);
        int depth = rest.contains("**") ? Integer.MAX_VALUE : parts.size() - literal;
        try (var walk = Files.walk(base, depth)) {
            return walk.filter(p -> !p.equals(base) && matcher.matches(base.relativize(p))).sorted().toList();
        }
    }
}
