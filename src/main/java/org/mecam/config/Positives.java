package org.mecam.config;

/** Choices for {@code positives}. */
public enum Positives implements Choice {
    /** equal float labels (published code). */
    EXACT("exact"),
    /** same polarity (negative, zero, positive). */
    SIGN("sign"),
    /** same rounded class in [-3, 3]. */
    CLASS7("class7");

    private final String key;

    Positives(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return key;
    }
}
