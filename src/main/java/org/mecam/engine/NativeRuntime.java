package org.mecam.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.IoFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the PyTorch engine once per JVM with the settings this kit needs.
 *
 * <p>Everything here must happen before libtorch is loaded: DJL reads its offline flag, cache
 * directory and thread counts when the engine starts, OpenMP reads {@code OMP_WAIT_POLICY} when
 * its library is loaded, and glibc's allocator thresholds are changed with {@code mallopt} so
 * that they hold for every buffer libtorch allocates afterwards.
 */
public final class NativeRuntime {

    /** glibc's largest allowed mmap threshold on 64-bit (HEAP_MAX_SIZE / 2). */
    static final int MMAP_THRESHOLD_BYTES = 32 << 20;
    /** Keep up to 1 GiB of freed heap instead of returning it to the OS after every step. */
    static final int TRIM_THRESHOLD_BYTES = 1 << 30;
    /**
     * Top pad larger than a thread arena's 64 MiB heap: glibc deletes (unmaps) an emptied heap of
     * a thread arena unless the pad forbids it, whatever the trim threshold. Java's main thread is
     * not the process's first thread, so libtorch allocates from such an arena.
     */
    static final int TOP_PAD_BYTES = 256 << 20;

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final Logger LOG = LoggerFactory.getLogger(NativeRuntime.class);

    private static Info info;

    private NativeRuntime() {}

    /** What the runtime was started with, recorded in every run's provenance. */
    public record Info(
            String engine,
            String engineVersion,
            int intraOpThreads,
            boolean allocatorTuned,
            String allocatorNote,
            Path cacheDir,
            boolean offline,
            String onednn,
            String lstmKernel,
            String libtorch,
            MklKernels.State mkl) {

        /** The values as an ordered map for config.json and bench output. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("engine", engine);
            m.put("engineVersion", engineVersion);
            m.put("intraOpThreads", intraOpThreads);
            m.put("allocatorTuned", allocatorTuned);
            m.put("allocatorNote", allocatorNote);
            m.put("djlCacheDir", cacheDir.toString());
            m.put("djlOffline", offline);
            m.put("onednn", onednn);
            m.put("lstmKernel", lstmKernel);
            m.put("libtorch", libtorch);
            m.put("mkl", mkl.note());
            return m;
        }
    }

    /**
     * Starts the engine if it is not running yet and sets the intra-op thread count; MKL's
     * kernels and the LSTM kernel are those of {@link MklKernels#defaultMode()} and {@link
     * LstmKernel#configDefault()}, or the ones already chosen.
     *
     * @param threads intra-op threads; 0 picks {@link #defaultThreads()}
     * @return the runtime's settings
     */
    public static synchronized Info start(int threads) {
        return start(threads, null, null);
    }

    /**
     * Starts the engine if it is not running yet, sets the intra-op thread count and, at the
     * start, which of MKL's kernels the products run on ({@link MklKernels}) and which of oneDNN's
     * LSTM kernels ({@link LstmKernel}).
     *
     * @param threads intra-op threads; 0 picks {@link #defaultThreads()}
     * @param mklKernels a {@link MklKernels#MODES} value, or null for the default (or the mode already chosen)
     * @param lstmKernel a {@link LstmKernel#MODES} value, or null for the default (or the mode already chosen)
     * @return the runtime's settings
     * @throws ConfigException when the engine already runs MKL kernels or LSTM kernels other than those asked for
     */
    public static synchronized Info start(int threads, String mklKernels, String lstmKernel) {
        int resolved = threads > 0 ? threads : defaultThreads();
        String mode = mklKernels == null ? null : MklKernels.check(mklKernels, "mklKernels");
        String lstm = lstmKernel == null ? null : LstmKernel.check(lstmKernel, "lstmKernel");
        if (info == null) {
            setIfAbsent("ai.djl.offline", "true");
            Path cache = cacheDir();
            setIfAbsent("DJL_CACHE_DIR", cache.toString());
            setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(resolved));
            setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
            String allocator = tuneAllocator();
            setenvIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            String lstmMode = lstm == null ? LstmKernel.defaultMode() : lstm;
            String onednn = capOneDnn(lstmMode);
            LibtorchCheck.check(); // a libtorch of the user's own: folder, version, JNI, CUDA runtime (exit 2)
            Engine engine = load();
            MklKernels.State mkl = MklKernels.apply(mode == null ? MklKernels.defaultMode() : mode); // before any product
            info =
                    new Info(
                            engine.getEngineName(),
                            engine.getVersion(),
                            resolved,
                            allocator.startsWith("tuned"),
                            allocator,
                            Paths.get(System.getProperty("DJL_CACHE_DIR")),
                            Boolean.parseBoolean(System.getProperty("ai.djl.offline")),
                            onednn,
                            lstmMode,
                            libtorch(),
                            mkl);
            LOG.debug("engine started: {}", info);
        } else {
            if (mode != null && !mode.equals(info.mkl().mode()) && (info.mkl().patched() || MklKernels.wouldPatch())) {
                throw new ConfigException("mklKernels: this run asks for MKL's " + mode + " kernels, but this JVM's"
                        + " libtorch already runs MKL's " + info.mkl().mode() + " kernels (MKL picks them once per"
                        + " process, and they differ in the last bits); run it in a new process, or set mklKernels "
                        + info.mkl().mode() + " (a run's config.json from before 2026-12-04 replays with vendor)");
            }
            if (lstm != null && !lstm.equals(info.lstmKernel()) && lstmModesDiffer()) {
                throw new ConfigException("lstmKernel: this run asks for the " + lstm + " LSTM kernel, but this JVM's"
                        + " libtorch already runs the " + info.lstmKernel() + " one (oneDNN reads its cap once per"
                        + " process, and they differ in the last bits); run it in a new process, or set lstmKernel "
                        + info.lstmKernel() + " (a run's config.json from before 2026-12-05 replays with capped)");
            }
        }
        if (info.intraOpThreads() != resolved) {
            JniUtils.setNumThreads(resolved);
            info =
                    new Info(
                            info.engine(),
                            info.engineVersion(),
                            resolved,
                            info.allocatorTuned(),
                            info.allocatorNote(),
                            info.cacheDir(),
                            info.offline(),
                            info.onednn(),
                            info.lstmKernel(),
                            info.libtorch(),
                            info.mkl());
        }
        return info;
    }

    /**
     * Loads the engine. A failure that {@link LibtorchCheck} did not foresee (a library that
     * cannot be linked, DJL asking to download in offline mode) becomes one {@link ConfigException}
     * line naming the libtorch and the fix; an I/O failure of the bundled libtorch's extraction (a
     * full disk, a read-only cache) stays an I/O failure (exit 4).
     */
    private static Engine load() {
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError | AssertionError e) { // DJL asserts on a JNI it cannot find
            if (e instanceof ConfigException || (bundledLibtorch() && IoFailure.is(e))) {
                throw e;
            }
            String cause = rootMessage(e);
            if (bundledLibtorch()) {
                throw new ConfigException("the bundled libtorch " + LibtorchCheck.BUNDLED_VERSION + " could not be loaded"
                        + " from DJL's cache " + cacheDir().resolve("pytorch") + ": " + cause + "; delete that folder so"
                        + " that it is extracted again, or set DJL_CACHE_DIR to another folder", e);
            }
            String envFile = System.getenv("MECAM_TORCH");
            throw new ConfigException("libtorch " + libtorch() + " could not be loaded: " + cause + "; rerun"
                    + " scripts/torch-jni.sh for that torch" + (envFile != null ? " (it rewrites " + envFile + ")" : "")
                    + ", or use --torch bundled", e);
        }
    }

    /** @return the innermost cause's class and message, on one line */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\s+", " ").strip();
        String outer = t.getMessage() == null || root == t ? "" : t.getMessage().replaceAll("\\s+", " ").strip() + ": ";
        return outer + root.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }

    /** Starts the engine with the default thread count (or the one already set). */
    public static synchronized Info start() {
        return info != null ? info : start(0);
    }

    /**
     * One intra-op thread on machines with up to four cores (more threads than physical cores
     * busy-wait and slow small ops down), half the cores above that. {@code MECAM_THREADS}
     * overrides.
     */
    public static int defaultThreads() {
        String env = System.getenv("MECAM_THREADS");
        if (env != null && !env.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(env.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("MECAM_THREADS must be a whole number, got '" + env + "'");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return cores <= 4 ? 1 : cores / 2;
    }

    /**
     * Where DJL extracts libtorch (about 430 MB, once): {@code DJL_CACHE_DIR} if set, else {@code
     * $XDG_CACHE_HOME/mecam/djl}, else {@code ~/.cache/mecam/djl}.
     */
    public static Path cacheDir() {
        String prop = System.getProperty("DJL_CACHE_DIR");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        String env = System.getenv("DJL_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base =
                xdg != null && !xdg.isBlank()
                        ? Paths.get(xdg)
                        : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("mecam").resolve("djl");
    }

    /**
     * Raises glibc's mmap and trim thresholds so that libtorch's large, short-lived buffers are
     * reused from the heap instead of being unmapped and faulted in again on every step (measured
     * here: an LSTM step over 500 frames took 27 ms with glibc's defaults and 2 ms with these).
     * Skipped when the user set the glibc variables, or {@code MECAM_MALLOC_TUNING=off}.
     */
    static String tuneAllocator() {
        if ("off".equalsIgnoreCase(System.getenv("MECAM_MALLOC_TUNING"))) {
            return "off (MECAM_MALLOC_TUNING=off)";
        }
        if (System.getenv("MALLOC_MMAP_THRESHOLD_") != null
                || System.getenv("MALLOC_TRIM_THRESHOLD_") != null) {
            return "left to the environment (MALLOC_*_THRESHOLD_ set)";
        }
        try {
            Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
            int mmap = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES});
            int trim = mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES});
            int pad = mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD_BYTES});
            if (mmap == 1 && trim == 1 && pad == 1) {
                return "tuned (mallopt mmap_threshold=32MiB, trim_threshold=1GiB, top_pad=256MiB)";
            }
            return "mallopt refused (mmap=" + mmap + ", trim=" + trim + ", top_pad=" + pad + ")";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "not available (" + e.getClass().getSimpleName() + ": no glibc mallopt)";
        }
    }

    /** @return true when DJL loads the libtorch 2.7.1 CPU build from Maven Central (no override) */
    static boolean bundledLibtorch() {
        return envOrProperty("PYTORCH_LIBRARY_PATH") == null && envOrProperty("PYTORCH_VERSION") == null;
    }

    /**
     * Sets up oneDNN's LSTM kernel on the bundled libtorch 2.7.1 ({@link LstmKernel}). Its oneDNN
     * 3.7.1 computes the LSTM wrongly without autograd on AVX-512 machines (measured here on an AMD
     * EPYC with avx512_bf16: a 4-unit LSTM's first output 0.023820 where the LSTM equations,
     * computed op by op in the same process, and torch 2.13 give 0.024333; errors up to 0.7 per
     * state at the kit's audio and vision widths). {@code training} computes such LSTMs with
     * autograd on ({@link NoGradLstm}); {@code capped} caps oneDNN at AVX2 before its first
     * primitive. {@code LstmKernelTest} checks both against the equations. A {@code
     * ONEDNN_MAX_CPU_ISA} set by the user or {@code MECAM_ONEDNN_CAP=off} (no cap and no autograd
     * path: wrong on such machines) wins.
     *
     * @param mode a {@link LstmKernel#MODES} value
     * @return what was done, for the provenance
     */
    static String capOneDnn(String mode) {
        String override = System.getenv("MECAM_ONEDNN_CAP");
        if (override != null && !override.isBlank() && !"off".equalsIgnoreCase(override.trim())) {
            throw new ConfigException("MECAM_ONEDNN_CAP: must be off or unset, got '" + override.trim() + "' (the LSTM"
                    + " kernel is the config key lstmKernel: " + String.join(", ", LstmKernel.MODES) + ")");
        }
        if (System.getenv("ONEDNN_MAX_CPU_ISA") != null) {
            return "ONEDNN_MAX_CPU_ISA=" + System.getenv("ONEDNN_MAX_CPU_ISA") + " (set by the environment)";
        }
        if (override != null && !override.isBlank() || !bundledLibtorch()) {
            return "not capped";
        }
        if (LstmKernel.TRAINING.equals(mode)) {
            NoGradLstm.viaAutograd(true);
            return "not capped; LSTMs without autograd computed with autograd on (lstmKernel training: oneDNN's"
                    + " training primitive, since libtorch 2.7.1's inference one is wrong on AVX-512)";
        }
        setenvIfAbsent("ONEDNN_MAX_CPU_ISA", "AVX2");
        return "ONEDNN_MAX_CPU_ISA=AVX2 (lstmKernel capped: libtorch 2.7.1's oneDNN computes the LSTM wrongly on"
                + " AVX-512 without autograd)";
    }

    /**
     * @return true when the two {@link LstmKernel} modes compute differently in this process: the
     *     bundled libtorch, with neither a {@code ONEDNN_MAX_CPU_ISA} of the user's nor {@code MECAM_ONEDNN_CAP}
     */
    static boolean lstmModesDiffer() {
        String override = System.getenv("MECAM_ONEDNN_CAP");
        return bundledLibtorch() && System.getenv("ONEDNN_MAX_CPU_ISA") == null && (override == null || override.isBlank());
    }

    /** @return which libtorch DJL loads: the override's folder, version and flavor, or the bundled build */
    static String libtorch() {
        if (bundledLibtorch()) {
            return "bundled (ai.djl.pytorch:pytorch-native-cpu from Maven Central)";
        }
        return envOrProperty("PYTORCH_LIBRARY_PATH") + " (version " + envOrProperty("PYTORCH_VERSION") + ", flavor "
                + envOrProperty("PYTORCH_FLAVOR") + (System.getenv("MECAM_TORCH") != null
                ? ", from " + System.getenv("MECAM_TORCH") : "") + ")";
    }

    private static String envOrProperty(String key) {
        String v = System.getenv(key);
        return v != null && !v.isBlank() ? v : System.getProperty(key);
    }

    /**
     * Sets a variable in the process environment that native libraries read (libc {@code setenv}),
     * unless it is set already; {@code System.getenv} keeps showing the value the JVM started with.
     */
    public static void setenvIfAbsent(String name, String value) {
        if (System.getenv(name) != null) {
            return;
        }
        try {
            Function setenv = NativeLibrary.getInstance("c").getFunction("setenv");
            setenv.invokeInt(new Object[] {name, value, 0});
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("could not set {}: {}", name, e.toString());
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
