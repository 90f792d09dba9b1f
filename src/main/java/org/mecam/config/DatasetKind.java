package org.mecam.config;

/** Choices for {@code datasetKind}. */
public enum DatasetKind implements Choice {
    /** the embedded synthetic generator. */
    SYNTHETIC,
    /** an MMSA aligned_50/unaligned_50 pickle. */
    MMSA,
    /** a MulT/MMIM *_data_noalign pickle plus label CSV. */
    MULT;

    @Override
    public String toString() {
        return key();
    }
}
