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

    private final java.util.Map<Object, Object> derived = new java.util.HashMap<>();

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

    /** @return the sequence of modality {@code m} */
    public Sequence sequence(org.mecam.config.Modality m) {
        switch (m) {
            case TEXT:
                return text;
            case AUDIO:
                return audio;
            default:
                return vision;
        }
    }

    /**
     * An input derived from the batch (label-derived masks and indices), made on first use and
     * kept in the batch. Making them all before the step (see {@code MecamModel.prepare}) moves
     * their copies to the device ahead of the step, which then copies nothing from the host.
     *
     * @param key identifies the input (one key per kind)
     * @param make builds it from this batch; its arrays must live in {@link #manager}
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object key, java.util.function.Function<Batch, T> make) {
        Object value = derived.get(key);
        if (value == null) {
            value = make.apply(this);
            derived.put(key, value);
        }
        return (T) value;
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
