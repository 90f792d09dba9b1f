package org.mecam.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mecam.config.ConfigException;

/**
 * Checks a libtorch of the user's own (the variables that {@code scripts/torch-jni.sh}'s
 * environment file sets: {@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION},
 * {@code PYTORCH_FLAVOR}, {@code DJL_CACHE_DIR}, {@code LD_LIBRARY_PATH}) before DJL loads it, so
 * that a folder that is gone, a version that does not match or a missing JNI fails with one line
 * that names what was looked for, where, and the fix, instead of DJL's offline download error.
 * Nothing is checked for the bundled libtorch (none of those variables set).
 *
 * <p>What is checked, in this order: the library folder exists; it holds {@code libtorch.so} and
 * {@code libtorch_cpu.so} (and {@code libtorch_cuda.so} for a CUDA flavor); the version its torch
 * records ({@code ../version.py} of a Python torch, {@code ../build-version} of a libtorch
 * archive) is the declared one; DJL's JNI for that version and flavor is in DJL's cache (where
 * {@code torch-jni.sh} installs it) or on the class path; for a CUDA flavor, the CUDA runtime
 * ({@code libcudart.so*}) is in {@code LD_LIBRARY_PATH}, the library folder or a system folder.
 * Each failure is a {@link ConfigException}: exit 2.
 */
public final class LibtorchCheck {

    /** The libtorch that Maven Central ships (ai.djl.pytorch:pytorch-native-cpu). */
    static final String BUNDLED_VERSION = "2.7.1";
    /** DJL's version, the prefix of the JNI's file name. */
    static final String DJL_VERSION = "0.36.0";
    /** DJL's flavor when {@code PYTORCH_FLAVOR} is not set. */
    static final String DJL_DEFAULT_FLAVOR = "cpu-precxx11";
    /** Folders where a system's CUDA runtime usually is. */
    static final List<String> SYSTEM_LIB_DIRS = List.of("/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu",
            "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib");

    private static final Pattern PY_VERSION = Pattern.compile("(?m)^__version__\\s*=\\s*['\"]([^'\"]+)['\"]");

    private LibtorchCheck() {}

    /** Checks the libtorch of this process's environment (and system properties). */
    public static void check() {
        check(LibtorchCheck::envOrProperty, engineCacheDir(), SYSTEM_LIB_DIRS);
    }

    /**
     * Checks the libtorch that {@code env} describes.
     *
     * @param env a variable's value, or null (the process environment, then system properties)
     * @param engineCache DJL's engine cache (the JNI is {@code <engineCache>/pytorch/<version>-<flavor>-<os-arch>/})
     * @param systemDirs folders searched for the CUDA runtime besides LD_LIBRARY_PATH and the library folder
     * @throws ConfigException naming what is missing, where, and the fix
     */
    static void check(UnaryOperator<String> env, Path engineCache, List<String> systemDirs) {
        String libPath = blankToNull(env.apply("PYTORCH_LIBRARY_PATH"));
        String version = blankToNull(env.apply("PYTORCH_VERSION"));
        String flavor = blankToNull(env.apply("PYTORCH_FLAVOR"));
        Source src = Source.of(env);
        if (libPath == null) {
            if (version == null || version.equals(BUNDLED_VERSION)) {
                return; // the bundled libtorch
            }
            throw new ConfigException("PYTORCH_VERSION=" + version + src.from() + " is set without PYTORCH_LIBRARY_PATH:"
                    + " DJL would download libtorch " + version + ", which the kit's offline mode forbids; set"
                    + " PYTORCH_LIBRARY_PATH to that torch's lib folder (scripts/torch-jni.sh writes both), "
                    + src.bundled());
        }
        Path dir = folder(libPath, flavor, src);
        String effective = stripLocal(version != null ? version : BUNDLED_VERSION); // DJL's default when unset
        String recorded = recordedVersion(dir);
        if (recorded != null && !stripLocal(recorded).equals(effective)) {
            throw new ConfigException("libtorch in " + dir + " is version " + recorded + ", but "
                    + (version != null ? "PYTORCH_VERSION" + src.from() + " says " + version
                    : "PYTORCH_VERSION is not set (DJL then assumes " + BUNDLED_VERSION + ")") + "; " + src.fix());
        }
        String fl = flavor != null ? flavor : DJL_DEFAULT_FLAVOR;
        String classifier = classifier();
        Path jni = engineCache.resolve("pytorch").resolve(effective + "-" + fl + "-" + classifier)
                .resolve(DJL_VERSION + "-libdjl_torch.so");
        if (!Files.isRegularFile(jni) && !jniOnClassPath(effective, fl, classifier)) {
            throw new ConfigException("DJL's JNI for torch " + effective + " (" + fl + ") is missing: " + jni + " does not"
                    + " exist (under DJL_CACHE_DIR, where scripts/torch-jni.sh installs it); " + src.fix());
        }
        if (fl.startsWith("cu")) {
            cudaRuntime(dir, fl, blankToNull(env.apply("LD_LIBRARY_PATH")), systemDirs, src);
        }
    }

    /**
     * Where the variables came from and the fix that every message ends with.
     *
     * @param from " from FILE" (the environment file) or " from the environment"
     * @param rebuild how to write the environment file again
     * @param bundled how to go back to the bundled libtorch
     */
    private record Source(String from, String rebuild, String bundled) {

        static Source of(UnaryOperator<String> env) {
            String envFile = blankToNull(env.apply("MECAM_TORCH"));
            String python = blankToNull(env.apply("MECAM_TORCH_PYTHON"));
            return new Source(envFile != null ? " from " + envFile : " from the environment",
                    "rerun scripts/torch-jni.sh" + (python != null ? " --python " + python : "")
                            + (envFile != null ? " (it rewrites " + envFile + ")" : ""),
                    envFile != null ? "or use --torch bundled"
                            : "or unset PYTORCH_LIBRARY_PATH and PYTORCH_VERSION for the bundled libtorch " + BUNDLED_VERSION);
        }

        String fix() {
            return rebuild + ", " + bundled;
        }
    }

    /**
     * @return the folder of {@code libtorch.so}: as DJL does, the first entry of the path list
     *     that is that file or holds it; it must hold libtorch_cpu.so too, and libtorch_cuda.so
     *     for a CUDA flavor
     */
    private static Path folder(String libPath, String flavor, Source src) {
        String where = " (PYTORCH_LIBRARY_PATH" + src.from() + ")";
        List<Path> entries = new ArrayList<>();
        for (String part : libPath.split(":")) {
            if (!part.isBlank()) {
                entries.add(Paths.get(part));
            }
        }
        Path dir = null;
        for (Path p : entries) {
            if (Files.isRegularFile(p) && p.getFileName().toString().equals("libtorch.so")) {
                dir = p.toAbsolutePath().getParent();
                break;
            }
            if (Files.isRegularFile(p.resolve("libtorch.so"))) {
                dir = p.toAbsolutePath();
                break;
            }
        }
        if (dir == null && entries.stream().noneMatch(Files::isDirectory)) {
            throw new ConfigException("libtorch folder " + libPath + where + " does not exist; " + src.fix());
        }
        if (dir == null) {
            throw new ConfigException("libtorch folder " + (entries.size() == 1 ? entries.get(0) : libPath) + where
                    + " holds no libtorch.so; point PYTORCH_LIBRARY_PATH at torch's lib folder (<site-packages>/torch/lib):"
                    + " " + src.fix());
        }
        if (!Files.isRegularFile(dir.resolve("libtorch_cpu.so"))) {
            throw new ConfigException("libtorch folder " + dir + where + " holds libtorch.so but no libtorch_cpu.so (an"
                    + " incomplete torch install); reinstall that torch and " + src.fix());
        }
        if (flavor != null && flavor.startsWith("cu") && !Files.isRegularFile(dir.resolve("libtorch_cuda.so"))) {
            throw new ConfigException("PYTORCH_FLAVOR=" + flavor + src.from() + " is a CUDA flavor, but libtorch folder "
                    + dir + " holds no libtorch_cuda.so (a CPU build of torch?); " + src.fix());
        }
        return dir;
    }

    /** A CUDA flavor needs a libcudart.so* in LD_LIBRARY_PATH, the library folder or a system folder. */
    private static void cudaRuntime(Path dir, String flavor, String ld, List<String> systemDirs, Source src) {
        Set<String> dirs = new LinkedHashSet<>();
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(d);
                }
            }
        }
        dirs.add(dir.toString());
        dirs.addAll(systemDirs);
        if (dirs.stream().noneMatch(d -> holdsCudart(Paths.get(d)))) {
            throw new ConfigException("PYTORCH_FLAVOR=" + flavor + src.from() + " needs the CUDA runtime, but no"
                    + " libcudart.so* is in LD_LIBRARY_PATH, " + dir + " or " + String.join(", ", systemDirs) + "; "
                    + src.rebuild() + " (the environment file adds pip's CUDA libraries to LD_LIBRARY_PATH), or add"
                    + " CUDA's lib64 folder to LD_LIBRARY_PATH, " + src.bundled());
        }
    }

    /** @return the version that the torch of {@code libDir} records, or null when it records none */
    static String recordedVersion(Path libDir) {
        Path parent = libDir.getParent();
        if (parent == null) {
            return null;
        }
        try {
            Path py = parent.resolve("version.py");
            if (Files.isRegularFile(py)) {
                Matcher m = PY_VERSION.matcher(Files.readString(py, StandardCharsets.UTF_8));
                if (m.find()) {
                    return m.group(1);
                }
            }
            Path build = parent.resolve("build-version");
            if (Files.isRegularFile(build)) {
                String v = Files.readString(build, StandardCharsets.UTF_8).strip();
                return v.isEmpty() ? null : v;
            }
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: DJL's load says more
        }
        return null;
    }

    /** "2.13.0+cpu" becomes "2.13.0". */
    static String stripLocal(String version) {
        int plus = version.indexOf('+');
        return plus < 0 ? version : version.substring(0, plus);
    }

    private static boolean holdsCudart(Path d) {
        if (!Files.isDirectory(d)) {
            return false;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("libcudart.so"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** @return whether a DJL pytorch-jni jar on the class path carries the JNI for this version and flavor */
    private static boolean jniOnClassPath(String version, String flavor, String classifier) {
        try (InputStream is = LibtorchCheck.class.getResourceAsStream("/jnilib/pytorch.properties")) {
            if (is == null) {
                return false;
            }
            Properties p = new Properties();
            p.load(is);
            String jni = p.getProperty("jni_version", "");
            return jni.startsWith(version + "-" + DJL_VERSION)
                    && LibtorchCheck.class.getResource("/jnilib/" + classifier + "/" + flavor + "/libdjl_torch.so") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return DJL's platform name, e.g. linux-x86_64 */
    static String classifier() {
        try {
            return ai.djl.util.Platform.detectPlatform("pytorch").getClassifier();
        } catch (RuntimeException e) {
            String arch = System.getProperty("os.arch");
            return "linux-" + ("amd64".equals(arch) ? "x86_64" : arch);
        }
    }

    /** DJL's engine cache: ENGINE_CACHE_DIR, else the kit's DJL cache ({@link NativeRuntime#cacheDir()}). */
    static Path engineCacheDir() {
        String engine = envOrProperty("ENGINE_CACHE_DIR");
        return engine != null ? Paths.get(engine) : NativeRuntime.cacheDir();
    }

    static String envOrProperty(String key) {
        String v = System.getenv(key);
        return v != null && !v.isBlank() ? v : System.getProperty(key);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
