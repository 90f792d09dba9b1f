package org.mecam.engine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which of MKL's kernels libtorch's matrix products (mm, bmm, addmm: about a third of a training
 * step) run on. MKL, linked into libtorch's CPU library, picks its kernels once per process, at
 * its first call, and on an AMD CPU it picks its generic AVX2 kernels even where the CPU has
 * AVX-512: it asks {@code mkl_serv_intel_cpu_true()} before looking at the instruction set.
 *
 * <ul>
 *   <li>{@code avx512} (the default): on an AMD CPU with AVX-512 (F, CD, BW, DQ, VL: the set of
 *       MKL's AVX-512 kernels), that function is made to return 1 before MKL's first call, so
 *       MKL runs the AVX-512 kernels it runs on Intel CPUs. Measured here (AMD EPYC, family 26):
 *       a [1600,128]x[128,512] product 2.6 ms -> 1.2 ms, a training step of the main job's
 *       shapes x0.72 (docs/bench/2core-cpu-mkl-kernels.json). Elsewhere it does nothing: an Intel
 *       CPU gets those kernels anyway, a CPU without AVX-512 keeps MKL's choice, a libtorch
 *       without MKL has no such function.</li>
 *   <li>{@code vendor}: MKL's own choice, as every run before 2026-12-04 was computed.</li>
 * </ul>
 *
 * <p>The two differ in the last bits of every product, so a run records its mode ({@code
 * mklKernels} in config.json, what was done in {@code provenance.runtime.mkl}), a replayed
 * config.json without the key is replayed with {@code vendor}, and one JVM cannot switch modes
 * where they differ ({@link NativeRuntime#start(int, String, String)} then refuses with one line).
 * {@code MklKernelsTest} checks the products against sums in double precision.
 */
public final class MklKernels {

    /** The config values. */
    public static final List<String> MODES = List.of("avx512", "vendor");
    /** The mode of configs that do not name one (new runs). */
    public static final String DEFAULT = "avx512";
    /** The mode of a run's config.json written before the key existed. */
    public static final String LEGACY = "vendor";

    static final String SYMBOL = "mkl_serv_intel_cpu_true";
    private static final byte[] RETURN_ONE = {(byte) 0xB8, 1, 0, 0, 0, (byte) 0xC3}; // mov eax, 1; ret
    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final int PROT_READ_EXEC = 5;
    private static final int PROT_ALL = 7;

    /** What was done at engine start: the mode asked for, whether MKL's choice was changed, and why. */
    public record State(String mode, boolean patched, String note) {}

    private MklKernels() {}

    /**
     * @return the mode named by {@code MECAM_MKL_KERNELS}, else {@link #DEFAULT} (for an engine
     *     started without a config)
     */
    public static String defaultMode() {
        return check(configDefault(), "MECAM_MKL_KERNELS");
    }

    /**
     * @return the default of the config key: {@code MECAM_MKL_KERNELS} as given (a bad value is
     *     named by {@code RunConfig.validate}), else {@link #DEFAULT}
     */
    public static String configDefault() {
        return org.mecam.config.RuntimeModes.envDefault("MECAM_MKL_KERNELS", DEFAULT);
    }

    /** @return {@code mode}, checked */
    static String check(String mode, String where) {
        return org.mecam.config.RuntimeModes.check(mode, MODES, where);
    }

    /**
     * @return why {@code avx512} would change MKL's choice on this machine, or null when it would
     *     not (not Linux x86-64, not AMD, no AVX-512)
     */
    static String applicableCpu() {
        String arch = System.getProperty("os.arch", "");
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return null;
        }
        String vendor = null;
        Set<String> flags = Set.of();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (vendor == null && line.startsWith("vendor_id")) {
                    vendor = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags")) {
                    flags = Set.copyOf(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (!"AuthenticAMD".equals(vendor) || !flags.containsAll(AVX512_FLAGS)) {
            return null;
        }
        return "AMD CPU with AVX-512";
    }

    /** The function to change, or why there is none. */
    private record Target(Function function, String missing) {}

    /** @return the loaded libtorch's {@link #SYMBOL}, or why {@code avx512} changes nothing here */
    private static Target target() {
        if (applicableCpu() == null) {
            return new Target(null, "MKL's own choice is the same on this CPU: not an AMD CPU with AVX-512");
        }
        Path lib = loadedLibrary("libtorch_cpu.so");
        if (lib == null) {
            return new Target(null, "no libtorch_cpu.so loaded");
        }
        try {
            return new Target(NativeLibrary.getInstance(lib.toString()).getFunction(SYMBOL), null);
        } catch (UnsatisfiedLinkError e) {
            return new Target(null, lib.getFileName() + " has no MKL: no " + SYMBOL);
        }
    }

    /** @return whether {@code avx512} changes MKL's choice in this JVM (an AMD CPU with AVX-512, a libtorch with MKL) */
    static boolean wouldPatch() {
        return target().function() != null;
    }

    /**
     * Applies {@code mode} to the libtorch just loaded, before any product ran.
     *
     * @return what was done, for the provenance
     */
    static State apply(String mode) {
        if (mode.equals("vendor")) {
            return new State(mode, false, "vendor (MKL's own kernel choice)");
        }
        Target t = target();
        if (t.function() == null) {
            return new State(mode, false, "vendor (avx512 asked; " + t.missing() + ")");
        }
        try {
            patch(t.function());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return new State(mode, false, "vendor (avx512 asked; " + SYMBOL + " could not be changed: " + e.getMessage() + ")");
        }
        return new State(mode, true, "avx512 (MKL's Intel AVX-512 kernels on this AMD CPU: " + SYMBOL
                + " returns 1 from before MKL's first call)");
    }

    /** Overwrites the function's first bytes with {@code return 1}; the page is writable only meanwhile. */
    private static void patch(Pointer f) {
        Function mprotect = NativeLibrary.getInstance("c").getFunction("mprotect");
        long address = Pointer.nativeValue(f);
        long page = address & ~4095L;
        long length = (address + RETURN_ONE.length - page + 4095L) & ~4095L;
        if (mprotect.invokeInt(new Object[] {new Pointer(page), length, PROT_ALL}) != 0) {
            throw new IllegalStateException("mprotect refused to make its page writable");
        }
        try {
            f.write(0, RETURN_ONE, 0, RETURN_ONE.length);
        } finally {
            mprotect.invokeInt(new Object[] {new Pointer(page), length, PROT_READ_EXEC});
        }
    }

    /** @return the path of a loaded shared library whose file name is {@code name}, from /proc/self/maps */
    static Path loadedLibrary(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/" + name)) {
                    return Path.of(line.substring(slash));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
