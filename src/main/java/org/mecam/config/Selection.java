package org.mecam.config;

/** Choices for {@code selection}. */
public enum Selection implements Choice {
    /** keep the checkpoint with the best validation loss. */
    VALIDATION("validation"),
    /** published behaviour - keep it only when test MAE also improves (leaks the test set). */
    TEST_LEAKY("test-leaky");

    private final String key;

    Selection(String key) {
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
