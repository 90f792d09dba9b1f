package org.mecam.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's autograd recording off for the current thread until closed. Grad mode is
 * thread-local in libtorch and on by default on threads other than the one that started the
 * engine, so evaluation code must switch it off explicitly.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** @return a scope in which no autograd graph is recorded */
    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
