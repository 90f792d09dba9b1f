package org.mecam.config;

/** Choices for {@code positives}. */
public enum Positives implements Choice {
    /** equal float labels (published code). */
    EXACT,
    /** same polarity (negative, zero, positive). */
    SIGN,
    /** same rounded class in [-3, 3]. */
    CLASS7;

    @Override
    public String toString() {
        return key();
    }
}
