package org.mecam.train;

/**
 * One epoch's record, a row of {@code epochs.csv}.
 *
 * @param epoch 1-based epoch
 * @param stage0Lld mean lld of stage 0 (NaN without MI terms)
 * @param task mean L1 task loss of stage 1
 * @param contrastive mean contrastive loss nce of stage 1 (NaN without the filter)
 * @param lld mean lld of stage 1 (NaN without MI terms)
 * @param entropy mean entropy H over the stage-1 batches that used it (NaN if none)
 * @param entropySkipped entropy terms skipped for rank-deficient covariances
 * @param trainLoss mean total stage-1 loss
 * @param gradNorm mean global gradient norm of stage 1 before clipping
 * @param validMae validation MAE, the validation loss used for selection
 * @param testMae test MAE (only with selection=test-leaky, else NaN)
 * @param lrMain learning rate of the main parameters after this epoch
 * @param improved whether this epoch became the selected checkpoint
 * @param seconds wall time of the epoch
 * @param rssMb resident set size of the process after the epoch (MiB; -1 if unknown)
 * @param diagnostics the {@link EpochDiagnostics#COLUMNS}: per-modality contrastive losses, each
 *     loss term's gradient norm on each encoder, class separation of the representations (NaN
 *     where not measured)
 */
public record EpochStats(
        int epoch, double stage0Lld, double task, double contrastive, double lld, double entropy,
        int entropySkipped, double trainLoss, double gradNorm, double validMae, double testMae,
        double lrMain, boolean improved, double seconds, double rssMb, java.util.Map<String, Double> diagnostics) {

    /** The columns before the diagnostics. */
    private static final String BASE_HEADER =
            "epoch,stage0_lld,task,contrastive,lld,entropy,entropy_skipped,train_loss,grad_norm,"
                    + "valid_mae,test_mae,lr_main,selected,seconds,rss_mb";

    /** CSV header matching {@link #csvRow()}. */
    public static final String CSV_HEADER = BASE_HEADER + "," + String.join(",", EpochDiagnostics.COLUMNS);

    /** @return the value of a diagnostics column (NaN when not measured) */
    public double diagnostic(String column) {
        Double v = diagnostics == null ? null : diagnostics.get(column);
        return v == null ? Double.NaN : v;
    }

    /** @return the values as one CSV line */
    public String csvRow() {
        StringBuilder row = new StringBuilder(String.join(",", Integer.toString(epoch), num(stage0Lld), num(task),
                num(contrastive), num(lld), num(entropy), Integer.toString(entropySkipped), num(trainLoss), num(gradNorm),
                num(validMae), num(testMae), num(lrMain), Boolean.toString(improved), num(seconds), num(rssMb)));
        for (String c : EpochDiagnostics.COLUMNS) {
            row.append(',').append(num(diagnostic(c)));
        }
        return row.toString();
    }

    /**
     * @return the records of an epochs.csv written by {@link #csvRow()} (diagnostics columns are
     *     found by header name; files written before they existed read as NaN)
     */
    public static java.util.List<EpochStats> readCsv(java.nio.file.Path file) throws java.io.IOException {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
        java.util.List<EpochStats> out = new java.util.ArrayList<>();
        java.util.List<String> header = java.util.Arrays.asList(lines.get(0).split(",", -1));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            java.util.Map<String, Double> diagnostics = EpochDiagnostics.empty();
            for (String column : EpochDiagnostics.COLUMNS) {
                int k = header.indexOf(column);
                if (k >= 0 && k < c.length) {
                    diagnostics.put(column, d(c[k]));
                }
            }
            out.add(new EpochStats(Integer.parseInt(c[0]), d(c[1]), d(c[2]), d(c[3]), d(c[4]), d(c[5]), Integer.parseInt(c[6]),
                    d(c[7]), d(c[8]), d(c[9]), d(c[10]), d(c[11]), Boolean.parseBoolean(c[12]), d(c[13]), d(c[14]),
                    diagnostics));
        }
        return out;
    }

    /**
     * @return per epoch, the mean of each value over the runs that reached that epoch (for
     *     curves over seeds)
     */
    public static java.util.List<EpochStats> mean(java.util.List<java.util.List<EpochStats>> runs) {
        int epochs = runs.stream().mapToInt(java.util.List::size).max().orElse(0);
        java.util.List<EpochStats> out = new java.util.ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            double[] sum = new double[13];
            int[] count = new int[13];
            for (java.util.List<EpochStats> run : runs) {
                if (e < run.size()) {
                    EpochStats s = run.get(e);
                    double[] v = {s.stage0Lld, s.task, s.contrastive, s.lld, s.entropy, s.entropySkipped, s.trainLoss,
                        s.gradNorm, s.validMae, s.testMae, s.lrMain, s.seconds, s.rssMb};
                    for (int k = 0; k < v.length; k++) {
                        if (!Double.isNaN(v[k])) {
                            sum[k] += v[k];
                            count[k]++;
                        }
                    }
                }
            }
            double[] m = new double[13];
            for (int k = 0; k < 13; k++) {
                m[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
            }
            java.util.Map<String, Double> diagnostics = EpochDiagnostics.empty();
            for (String column : EpochDiagnostics.COLUMNS) {
                double total = 0;
                int n = 0;
                for (java.util.List<EpochStats> run : runs) {
                    double v = e < run.size() ? run.get(e).diagnostic(column) : Double.NaN;
                    if (!Double.isNaN(v)) {
                        total += v;
                        n++;
                    }
                }
                diagnostics.put(column, n == 0 ? Double.NaN : total / n);
            }
            out.add(new EpochStats(e + 1, m[0], m[1], m[2], m[3], m[4], (int) Math.round(m[5]), m[6], m[7], m[8], m[9],
                    m[10], false, m[11], m[12], diagnostics));
        }
        return out;
    }

    private static double d(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
