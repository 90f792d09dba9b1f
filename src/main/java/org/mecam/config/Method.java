package org.mecam.config;

/** Which learner a run trains. */
public enum Method implements Choice {
    /** the neural model of DESIGN.md (MECAM and its variants, late / early fusion). */
    MECAM("mecam"),
    /** Tribuo's linear SGD regressor on mean-pooled features (baseline). */
    TRIBUO_LINEAR("tribuo-linear"),
    /** Tribuo's random forest of CART regression trees on mean-pooled features (baseline). */
    TRIBUO_FOREST("tribuo-forest");

    private final String key;

    Method(String key) {
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
