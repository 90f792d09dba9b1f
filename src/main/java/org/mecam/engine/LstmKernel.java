package org.mecam.engine;

import java.util.List;
import org.mecam.config.RuntimeModes;

/**
 * Which of oneDNN's LSTM kernels the bundled libtorch 2.7.1 runs (config key {@code lstmKernel}).
 * Its oneDNN 3.7.1 computes the LSTM wrongly without autograd on AVX-512 CPUs (its inference
 * primitive; errors of 0.3 to 0.7 per state at the kit's audio and vision widths on this
 * project's AMD EPYC), and correctly with autograd (its training primitive). Two ways around it:
 *
 * <ul>
 *   <li>{@code training} (the default): oneDNN runs at the machine's full instruction set, and
 *       every LSTM that runs without autograd (stage 0, validation, test) is computed with
 *       autograd on and its output detached ({@link NoGradLstm}), so that the training primitive
 *       computes every LSTM. Measured here side by side (docs/bench/2core-cpu-lstm-kernel.json):
 *       a training step x0.88 of {@code capped}'s on the aligned shapes and x0.89 on the
 *       unaligned ones (medians of 3 rounds), an epoch of the main job x0.90.
 *   <li>{@code capped}: oneDNN capped at AVX2 for the whole process ({@code
 *       ONEDNN_MAX_CPU_ISA=AVX2}, set before its first primitive), whose inference primitive is
 *       correct; every run made before this key existed (2026-12-05) was computed so.
 * </ul>
 *
 * <p>The two differ in the last bits of every LSTM, so a run records its mode ({@code lstmKernel}
 * in config.json, what was done in {@code provenance.runtime.onednn}), a replayed config.json
 * without the key uses {@code capped}, and one process runs one mode where they differ: oneDNN
 * reads its cap once ({@link NativeRuntime#start(int, String, String)} then refuses with one
 * line). With a libtorch of the user's own, a {@code ONEDNN_MAX_CPU_ISA} set by the user, or
 * {@code MECAM_ONEDNN_CAP=off} (no cap and no autograd path: wrong on AVX-512, to show the fault)
 * the mode changes nothing. {@code LstmKernelTest} checks both modes against the LSTM equations.
 */
public final class LstmKernel {

    public static final String TRAINING = "training";
    public static final String CAPPED = "capped";
    /** The config values. */
    public static final List<String> MODES = List.of(TRAINING, CAPPED);
    /** What a run's config.json without the key (written before 2026-12-05) was computed with. */
    public static final String LEGACY = CAPPED;

    private LstmKernel() {}

    /**
     * @return the default of the config key: {@code MECAM_LSTM_KERNEL} as given (a bad value is
     *     named by {@code RunConfig.validate}), else {@link #TRAINING}
     */
    public static String configDefault() {
        return RuntimeModes.envDefault("MECAM_LSTM_KERNEL", TRAINING);
    }

    /** @return the mode of an engine started without a config: {@link #configDefault()}, checked */
    static String defaultMode() {
        return check(configDefault(), "MECAM_LSTM_KERNEL");
    }

    /** @return {@code mode}, checked */
    static String check(String mode, String where) {
        return RuntimeModes.check(mode, MODES, where);
    }
}
