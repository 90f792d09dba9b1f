package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.mecam.data.batch.Batch;

/** MMIM's entropy term over the MMILB pairs, with the previous batch's projections from {@link EntropyMemory}. */
final class EntropyTerm {

    private EntropyTerm() {}

    /**
     * The entropy term: for each pair, y's projections split by label sign and joined with the
     * previous batch's, H = 0.25 (logdet S_pos + logdet S_neg). A pair is skipped (and counted)
     * when a side has fewer than dim + 1 samples, or when its logdet is not finite.
     *
     * @return the summed H of the used pairs, or null if none was used
     */
    static NDArray sum(ParameterStore ps, Batch batch, MecamModel.Encoded enc, Map<String, Mmilb> mmilb,
            EntropyMemory memory, boolean training) {
        NDManager m = batch.manager;
        long[] pos = indices(batch.labelValues, true);
        long[] neg = indices(batch.labelValues, false);
        NDArray sum = null;
        for (Map.Entry<String, Mmilb> e : mmilb.entrySet()) {
            String pair = e.getKey();
            NDArray projected = e.getValue().project(ps, enc.vector(pair.charAt(1)), training); // (B, k)
            NDArray p = rows(m, projected, pos);
            NDArray n = rows(m, projected, neg);
            NDArray h = pairEntropy(memory.get(pair), p, n, e.getValue().projectedSize(), memory);
            memory.put(pair, p, n);
            if (h != null) {
                sum = sum == null ? h : sum.add(h);
            }
        }
        return sum;
    }

    private static NDArray pairEntropy(NDArray[] previous, NDArray pos, NDArray neg, int k, EntropyMemory memory) {
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
        NDArray h = Ops.logDet(covariances).sum().mul(Ops.scalar(pos, 0.25));
        if (!Float.isFinite(h.getFloat())) {
            memory.countSkipped();
            return null;
        }
        return h;
    }

    private static long[] indices(float[] labels, boolean positive) {
        return java.util.stream.IntStream.range(0, labels.length)
                .filter(i -> positive ? labels[i] > 0 : labels[i] < 0)
                .asLongStream().toArray();
    }

    private static NDArray rows(NDManager m, NDArray x, long[] idx) {
        if (idx.length == 0) {
            return x.get(new NDIndex("0:0"));
        }
        return x.get(new NDIndex("{}", org.mecam.engine.NativeArrays.longs(m, idx)));
    }
}
