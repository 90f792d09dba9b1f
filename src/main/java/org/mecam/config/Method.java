package org.mecam.config;

/** Which learner a run trains. */
public enum Method implements Choice {
    /** the neural model of docs/METHOD.md (MECAM and its variants, late / early fusion). */
    MECAM,
    /** Tribuo's linear SGD regressor on mean-pooled features (baseline). */
    TRIBUO_LINEAR,
    /** Tribuo's random forest of CART regression trees on mean-pooled features (baseline). */
    TRIBUO_FOREST;

    @Override
    public String toString() {
        return key();
    }
}
