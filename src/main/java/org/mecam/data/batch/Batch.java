package org.mecam.data.batch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One batch as NDArrays in its own manager; closing the batch frees every array created during
 * its step. Sequences are trimmed to the longest valid one in the batch, which leaves every
 * masked result unchanged.
 */
public final class Batch implements AutoCloseable {

    /** Owns the batch's arrays and everything computed from them. */
    public final NDManager manager;
    /** Indices of the samples in their split. */
    public final int[] indices;
    /** Labels [B]. */
    public final NDArray labels;
    /** Labels on the Java side. */
    public final float[] labelValues;
    /** Text: features [B, Lt, Dt] (float32) or token ids [B, Lt] (int64). */
    public final Sequence text;
    /** Audio [B, La, Da]. */
    public final Sequence audio;
    /** Vision [B, Lv, Dv]. */
    public final Sequence vision;

    /** A padded sequence with its mask [B, L] (1 valid, 0 padding) and last valid index [B]. */
    public record Sequence(NDArray data, NDArray mask, NDArray last, int[] lengths) {}

    Batch(NDManager manager, int[] indices, NDArray labels, float[] labelValues,
            Sequence text, Sequence audio, Sequence vision) {
        this.manager = manager;
        this.indices = indices;
        this.labels = labels;
        this.labelValues = labelValues;
        this.text = text;
        this.audio = audio;
        this.vision = vision;
    }

    /** @return the batch size */
    public int size() {
        return indices.length;
    }

    @Override
    public void close() {
        manager.close();
    }
}
