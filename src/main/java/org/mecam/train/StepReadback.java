package org.mecam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.engine.NoGrad;
import org.mecam.objective.LossTerm;
import org.mecam.objective.Stage;

/**
 * The values of training steps kept on the device until they are read (docs/METHOD.md, "A step
 * on the device"): each step leaves one detached float64 vector (its terms' values, the total
 * loss, the gradient norm, the terms' parts); {@link #read()} copies every pending vector in one
 * transfer, checks the values in the order the steps ran and reports each step to the progress
 * listener.
 */
final class StepReadback implements AutoCloseable {

    /** A step's values on the device, not read yet. */
    private record Pending(Stage stage, int epoch, int index, NDArray values, List<LossTerm> terms, boolean[] present,
            List<String> parts) {}

    private final NDManager log;
    private final TrainingProgress listener;
    private final List<Pending> pending = new ArrayList<>();

    StepReadback(NDManager parent, TrainingProgress listener) {
        this.log = parent.newSubManager();
        this.listener = listener;
    }

    /**
     * Keeps a step's values beyond its batch.
     *
     * @param terms the stage's terms that are on, in order
     * @param values each term's reported value (null where the term gave none this step)
     * @param loss the step's total loss
     * @param norm the gradient norm before clipping
     * @param parts the terms' parts by name
     */
    void keep(Stage stage, int epoch, int index, List<LossTerm> terms, List<NDArray> values, NDArray loss,
            NDArray norm, Map<String, NDArray> parts, NDManager batchManager) {
        NDArray none = null;
        List<NDArray> all = new ArrayList<>();
        boolean[] present = new boolean[terms.size()];
        for (int i = 0; i < terms.size(); i++) {
            NDArray v = values.get(i);
            present[i] = v != null;
            if (v == null) {
                none = none != null ? none : org.mecam.engine.NativeArrays.scalar(batchManager, Double.NaN,
                        DataType.FLOAT32);
                v = none;
            }
            all.add(v);
        }
        all.add(loss);
        all.add(norm);
        all.addAll(parts.values());
        NDArray vector = float64(all.toArray(new NDArray[0]));
        vector.attach(log);
        pending.add(new Pending(stage, epoch, index, vector, terms, present, new ArrayList<>(parts.keySet())));
    }

    /** @return the steps run and not read back yet */
    int size() {
        return pending.size();
    }

    /**
     * Reads the values of every step run since the last read, in one copy from the device, and
     * checks them in the order the steps ran: the first non-finite value (in the order of the
     * terms that are checked, then the total loss, then the gradient norm) ends training with a
     * {@link NonFiniteLossException} that names its epoch, stage and batch. That step changed no
     * weight; steps after it in the same read did run.
     */
    Trainer.Readback read() {
        if (pending.isEmpty()) {
            return new Trainer.Readback(List.of(), List.of());
        }
        List<Pending> steps = new ArrayList<>(pending);
        double[] all;
        try {
            NDList list = new NDList();
            steps.forEach(p -> list.add(p.values()));
            if (list.size() == 1) {
                all = list.head().toDoubleArray();
            } else {
                try (NDArray joined = NDArrays.concat(list)) {
                    all = joined.toDoubleArray();
                }
            }
        } finally {
            pending.forEach(p -> p.values().close());
            pending.clear();
        }
        List<Trainer.StepLosses> stage0 = new ArrayList<>();
        List<Trainer.StepLosses> stage1 = new ArrayList<>();
        int at = 0;
        for (Pending p : steps) {
            int e = p.epoch();
            int b = p.index();
            int stage = p.stage() == Stage.MMILB ? 0 : 1;
            Map<String, Double> terms = new LinkedHashMap<>();
            for (int i = 0; i < p.terms().size(); i++) {
                LossTerm t = p.terms().get(i);
                double v = all[at + i];
                if (p.present()[i] && t.checked()) {
                    finite(t.description(), v, e, stage, b);
                }
                terms.put(t.name(), v);
            }
            at += p.terms().size();
            double total = all[at];
            if (stage == 1) {
                finite("total loss", total, e, stage, b);
            }
            double norm = finite("gradient norm", all[at + 1], e, stage, b);
            at += 2;
            Map<String, Double> parts = new LinkedHashMap<>();
            for (String part : p.parts()) {
                parts.put(part, all[at++]);
            }
            Trainer.StepLosses losses = new Trainer.StepLosses(terms, total, norm, parts);
            (stage == 0 ? stage0 : stage1).add(losses);
            listener.onBatch(e, stage, b, total);
        }
        return new Trainer.Readback(stage0, stage1);
    }

    /**
     * @return the values as one float64 vector (exact: each is a float32 or float64 scalar),
     *     detached: a pending step must not keep its autograd graph (and with it the step's
     *     activations) alive until it is read
     */
    static NDArray float64(NDArray... values) {
        try (NoGrad ignored = NoGrad.enter()) {
            NDList list = new NDList();
            for (NDArray v : values) {
                list.add(v.stopGradient().toType(DataType.FLOAT64, false).reshape(1));
            }
            return NDArrays.concat(list);
        }
    }

    /** @return whether every value is finite, a boolean scalar computed on the device */
    static NDArray allFinite(NDArray values) {
        NDArray zeroIfFinite = values.sub(values); // 0 for a finite value, NaN for NaN and +-inf
        return zeroIfFinite.eq(zeroIfFinite).all();
    }

    private static double finite(String term, double value, int epoch, int stage, int batch) {
        if (!Double.isFinite(value)) {
            throw new NonFiniteLossException(term, epoch, stage, batch, value);
        }
        return value;
    }

    @Override
    public void close() {
        pending.clear();
        log.close();
    }
}
