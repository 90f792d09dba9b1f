package org.mecam.engine;

/**
 * Cooperative interruption of long work (training, evaluation, grids). The notebook kernel
 * requests it when the user interrupts a cell; training and evaluation loops call
 * {@link #check()} between batches and stop there, so that native memory is released and no
 * run directory is left half-written. Command-line runs are stopped by signals instead.
 */
public final class Interruption {

    private static volatile boolean requested;

    private Interruption() {}

    /** Thrown at the next check after an interruption was requested. */
    public static final class InterruptedRunException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public InterruptedRunException() {
            super("interrupted by the user");
        }
    }

    /** Asks running work to stop at its next check. */
    public static void request() {
        requested = true;
    }

    /** Clears a request (the kernel does so before each cell). */
    public static void clear() {
        requested = false;
    }

    /** @return whether an interruption is pending */
    public static boolean isRequested() {
        return requested;
    }

    /** @throws InterruptedRunException if an interruption was requested */
    public static void check() {
        if (requested) {
            throw new InterruptedRunException();
        }
    }
}
