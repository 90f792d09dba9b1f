package org.mecam.config;

/** Choices for {@code selection}. */
public enum Selection implements Choice {
    /** keep the checkpoint with the best validation loss. */
    VALIDATION,
    /** published behaviour - keep it only when test MAE also improves (leaks the test set). */
    TEST_LEAKY;

    @Override
    public String toString() {
        return key();
    }
}
