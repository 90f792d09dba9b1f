package org.mecam.config;

/**
 * What training runs with: the part of a {@link RunConfig} that {@code org.mecam.train} reads
 * (derived in one place, {@link RunConfig#training()}). Field meanings are those of
 * {@link RunConfig}; {@code textMode} decides whether batches carry token ids.
 */
public record TrainSettings(
        TextMode textMode, String modalities, int epochs, int batchSize,
        double lrMain, double lrBert, double lrMmilb, double weightDecayMain, double weightDecayBert,
        double weightDecayMmilb, double alpha, double beta, double clip, int plateauPatience, double plateauFactor,
        int patience, boolean diagnostics, int diagnosticsEvery, Selection selection, long seed) {

    /**
     * @return the value of a loss term's weight key: {@code alpha}, {@code beta}, or {@code one}
     *     (a fixed weight of 1)
     * @throws IllegalArgumentException for any other key
     */
    public double weight(String key) {
        switch (key) {
            case "one":
                return 1;
            case "alpha":
                return alpha;
            case "beta":
                return beta;
            default:
                throw new IllegalArgumentException("unknown loss weight key '" + key + "' (expected one, alpha or beta)");
        }
    }
}
