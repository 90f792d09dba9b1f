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
 */
public record EpochStats(
        int epoch, double stage0Lld, double task, double contrastive, double lld, double entropy,
        int entropySkipped, double trainLoss, double gradNorm, double validMae, double testMae,
        double lrMain, boolean improved, double seconds, double rssMb) {

    /** CSV header matching {@link #csvRow()}. */
    public static final String CSV_HEADER =
            "epoch,stage0_lld,task,contrastive,lld,entropy,entropy_skipped,train_loss,grad_norm,"
                    + "valid_mae,test_mae,lr_main,selected,seconds,rss_mb";

    /** @return the values as one CSV line */
    public String csvRow() {
        return String.join(",", Integer.toString(epoch), num(stage0Lld), num(task), num(contrastive), num(lld),
                num(entropy), Integer.toString(entropySkipped), num(trainLoss), num(gradNorm), num(validMae),
                num(testMae), num(lrMain), Boolean.toString(improved), num(seconds), num(rssMb));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
