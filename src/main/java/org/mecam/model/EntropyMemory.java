package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The previous batch's entropy projections of each MMILB pair, split by label sign (a memory of
 * one batch, as MMIM's {@code mem_size = 1}), and the count of skipped entropy terms.
 */
public final class EntropyMemory implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray[]> previous = new HashMap<>();
    private int skipped;
    /** Terms skipped for a non-finite logdet, counted on the device (float32 scalar), or null. */
    private NDArray nonFinite;

    /** @param parent the manager the memory's arrays live under */
    public EntropyMemory(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** @return the previous {positive, negative} projections of a pair, or null */
    public NDArray[] get(String pair) {
        return previous.get(pair);
    }

    /** Replaces a pair's memory with detached copies of this batch's projections. */
    public void put(String pair, NDArray positive, NDArray negative) {
        NDArray[] old = previous.put(pair, new NDArray[] {keep(positive), keep(negative)});
        if (old != null) {
            old[0].close();
            old[1].close();
        }
    }

    private NDArray keep(NDArray x) {
        NDArray detached = x.stopGradient();
        detached.attach(manager);
        return detached;
    }

    /** Counts an entropy term skipped because a covariance could not be full rank. */
    public void countSkipped() {
        skipped++;
    }

    /**
     * Counts, on the device, a term skipped when its logdet is not finite: {@code finite} is the
     * term's boolean test, which the host does not read until {@link #skipped()}.
     */
    public void countNonFinite(NDArray finite) {
        NDArray notFinite = finite.logicalNot().toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        NDArray sum = nonFinite == null ? notFinite : nonFinite.add(notFinite);
        sum.attach(manager);
        if (nonFinite != null) {
            nonFinite.close();
        }
        nonFinite = sum;
    }

    /**
     * @return skipped entropy terms since the last {@link #reset()} (reads the device's count:
     *     call it between steps, not inside one)
     */
    public int skipped() {
        return skipped + (nonFinite == null ? 0 : Math.round(nonFinite.getFloat()));
    }

    /** Forgets the memory (each epoch's stage 1 starts empty) and the skip count. */
    public void reset() {
        for (NDArray[] pair : previous.values()) {
            pair[0].close();
            pair[1].close();
        }
        previous.clear();
        skipped = 0;
        if (nonFinite != null) {
            nonFinite.close();
            nonFinite = null;
        }
    }

    @Override
    public void close() {
        reset();
        manager.close();
    }
}
