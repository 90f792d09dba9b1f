package org.mecam.config;

/** Choices for {@code datasetKind}. */
public enum DatasetKind implements Choice {
    /** the embedded synthetic generator. */
    SYNTHETIC("synthetic"),
    /** an MMSA aligned_50/unaligned_50 pickle. */
    MMSA("mmsa"),
    /** a MulT/MMIM *_data_noalign pickle plus label CSV. */
    MULT("mult");

    private final String key;

    DatasetKind(String key) {
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
