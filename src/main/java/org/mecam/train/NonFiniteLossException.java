package org.mecam.train;

/** A loss term or the gradient norm became NaN or infinite; says which, where and when. */
public final class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String term;
    private final int epoch;
    private final int stage;
    private final int batch;
    private final double value;

    public NonFiniteLossException(String term, int epoch, int stage, int batch, double value) {
        super(String.format("non-finite %s (%s) in epoch %d, stage %d, batch %d", term, value, epoch, stage, batch));
        this.term = term;
        this.epoch = epoch;
        this.stage = stage;
        this.batch = batch;
        this.value = value;
    }

    public String term() {
        return term;
    }

    public int epoch() {
        return epoch;
    }

    public int stage() {
        return stage;
    }

    public int batch() {
        return batch;
    }

    public double value() {
        return value;
    }
}
