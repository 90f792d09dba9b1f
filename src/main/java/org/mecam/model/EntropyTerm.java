package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.mecam.data.batch.Batch;
import org.mecam.engine.NativeArrays;
import org.mecam.engine.NoGrad;

/** MMIM's entropy term over the MMILB pairs, with the previous batch's projections from {@link EntropyMemory}. */
public final class EntropyTerm {

    private EntropyTerm() {}

    /**
     * The summed H of a step's pairs and the number of pairs whose H was used (float32 scalars on the device).
     *
     * @param value the summed H (scalar; a pair with a non-finite logdet adds 0 and no gradient)
     * @param used how many pairs {@code value} sums
     */
    public record Sum(NDArray value, NDArray used) {}

    /**
     * The entropy term: for each pair, y's projections split by label sign and joined with the
     * previous batch's, H = 0.25 (logdet S_pos + logdet S_neg). A pair is skipped (and counted)
     * when a side has fewer than dim + 1 samples (known on the host from the labels), or when its
     * logdet is not finite. The second test runs on the device, so that a step reads nothing
     * back: a non-finite pair's covariances are replaced by identity matrices before the logdet
     * that autograd records, so that it adds 0 to H and nothing (no NaN either) to the gradients,
     * exactly as leaving it out; the memory counts it on the device.
     *
     * @return the summed H of the pairs with enough samples and how many of them were finite, or
     *     null if no pair had enough samples
     */
    static Sum sum(ParameterStore ps, Batch batch, MecamModel.Encoded enc, Map<ModalityPair, Mmilb> mmilb,
            EntropyMemory memory, boolean training) {
        NDArray[] signs = signs(batch);
        NDArray sum = null;
        NDArray used = null;
        for (Map.Entry<ModalityPair, Mmilb> e : mmilb.entrySet()) {
            String pair = e.getKey().key();
            NDArray projected = e.getValue().project(ps, enc.vector(e.getKey().y()), training); // (B, k)
            NDArray p = rows(projected, signs[0]);
            NDArray n = rows(projected, signs[1]);
            NDArray[] h = pairEntropy(memory.get(pair), p, n, e.getValue().projectedSize(), memory);
            memory.put(pair, p, n);
            if (h != null) {
                sum = sum == null ? h[0] : sum.add(h[0]);
                used = used == null ? h[1] : used.add(h[1]);
            }
        }
        return sum == null ? null : new Sum(sum, used);
    }

    /** @return the indices of the batch's positive and of its negative samples, on the device */
    static NDArray[] signs(Batch batch) {
        return batch.derived(EntropyTerm.class, b -> new NDArray[] {
            NativeArrays.longs(b.manager, indices(b.labelValues, true)),
            NativeArrays.longs(b.manager, indices(b.labelValues, false))});
    }

    /** @return {H, 1 if H was finite else 0}, or null when a side has too few samples */
    private static NDArray[] pairEntropy(NDArray[] previous, NDArray pos, NDArray neg, int k, EntropyMemory memory) {
        if (previous == null) {
            return null;
        }
        // current batch first: results live in the manager of the first array, the batch's
        NDArray allPos = NDArrays.concat(new NDList(pos, previous[0]), 0); // (n_pos, k)
        NDArray allNeg = NDArrays.concat(new NDList(neg, previous[1]), 0); // (n_neg, k)
        if (allPos.getShape().get(0) < k + 1 || allNeg.getShape().get(0) < k + 1) {
            memory.countSkipped();
            return null;
        }
        NDArray covariances = NDArrays.stack(new NDList(Ops.covariance(allPos), Ops.covariance(allNeg))); // (2, k, k)
        NDArray finite;
        try (NoGrad ignored = NoGrad.enter()) {
            NDArray probe = Ops.logDet(covariances).sum();
            NDArray zeroIfFinite = probe.sub(probe); // 0 for a finite value, NaN for NaN and +-inf
            finite = zeroIfFinite.eq(zeroIfFinite);
        }
        memory.countNonFinite(finite);
        NDManager m = pos.getManager();
        NDArray safe = NDArrays.where(finite.broadcast(covariances.getShape()), covariances, m.eye(k));
        NDArray h = Ops.logDet(safe).sum().mul(Ops.scalar(pos, 0.25));
        return new NDArray[] {h, finite.toType(DataType.FLOAT32, false)};
    }

    private static long[] indices(float[] labels, boolean positive) {
        return java.util.stream.IntStream.range(0, labels.length)
                .filter(i -> positive ? labels[i] > 0 : labels[i] < 0)
                .asLongStream().toArray();
    }

    private static NDArray rows(NDArray x, NDArray idx) {
        if (idx.getShape().get(0) == 0) {
            return x.get(new NDIndex("0:0"));
        }
        return x.get(new NDIndex("{}", idx));
    }
}
