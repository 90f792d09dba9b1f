package org.mecam.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.NoGrad;
import org.mecam.model.ContrastTargets;
import org.mecam.model.MecamModel;
import org.mecam.model.Ops;
import org.mecam.objective.ActiveObjective;
import org.mecam.objective.LossTerm;
import org.mecam.objective.Objective;
import org.mecam.objective.Stage;

/**
 * What each loss term does to the encoders, measured once per epoch (METHOD.md, "Diagnostics").
 *
 * <p><b>Gradient norms.</b> On two fixed training batches (the first 2 x batch-size samples of the
 * training split, the same every epoch; the first only fills a temporary entropy memory), one
 * forward pass without dropout, then one backward pass per weighted loss term as it enters the
 * stage-1 loss ({@link org.mecam.objective.Objective}'s stage-1 terms with their signed weights: task L1,
 * alpha * nce (nce = k (L_t + L_a + L_v); since L_m reaches only encoder m, its norm on encoder m
 * is the per-modality term's), -beta * lld, -beta * H, and any term added). Column
 * {@code grad_<term>_<m>} is the L2 norm of that term's gradient over encoder m's parameters
 * (text, audio, vision), before clipping. Dropout off and no random numbers drawn, so the
 * diagnostics never change the training trajectory.
 *
 * <p><b>Separation.</b> On the validation split, per modality: for each anchor sample, the mean
 * cosine similarity to the other samples of its 7-class label minus the mean to samples of other
 * classes; averaged over clean anchors ({@code _clean}) and over anchors whose negative
 * information hits that modality ({@code _neg}, synthetic data only). {@code sep_z_*} on the
 * filter's projection z (runs with the filter), {@code sep_h_*} on the encoder's utterance vector
 * (every run, so variants without the filter compare).
 */
public final class EpochDiagnostics {

    private EpochDiagnostics() {}

    /**
     * @return every diagnostics column of {@code epochs.csv} for an objective, in order: the
     *     terms' parts, {@code grad_<term>_<m>} for each stage-1 term and modality, then the
     *     separation columns
     */
    public static List<String> columns(Objective objective) {
        List<String> c = new ArrayList<>(objective.parts());
        for (LossTerm term : objective.terms(Stage.MAIN)) {
            for (Modality m : Modality.values()) {
                c.add(gradColumn(term.name(), m));
            }
        }
        for (String space : List.of("z", "h")) {
            for (Modality m : Modality.values()) {
                c.add(sepColumn(space, m, true));
                c.add(sepColumn(space, m, false));
            }
        }
        return Collections.unmodifiableList(c);
    }

    /** @return the column of a term's gradient norm on modality {@code m}'s encoder */
    public static String gradColumn(String term, Modality m) {
        return "grad_" + term + "_" + m.code();
    }

    /** @return the column of the class separation in space z (filter) or h (encoder), clean or negative anchors */
    public static String sepColumn(String space, Modality m, boolean clean) {
        return "sep_" + space + "_" + m.code() + (clean ? "_clean" : "_neg");
    }

    /** @return a map with every column of {@code objective} NaN, to be filled */
    public static Map<String, Double> empty(Objective objective) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String c : columns(objective)) {
            out.put(c, Double.NaN);
        }
        return out;
    }

    /**
     * One stage-1 term on a fixed training batch, as it enters the loss.
     *
     * @param term the term
     * @param signedWeight what it is multiplied by in the loss
     * @param value its value on the batch (unweighted)
     * @param norms the L2 norm of the weighted term's gradient over each encoder's trainable parameters
     */
    public record TermGradient(LossTerm term, double signedWeight, double value, Map<Modality, Double> norms) {}

    /**
     * Measures the gradient norms of each weighted stage-1 term on each encoder into {@code out}.
     *
     * @param all every trainable parameter (zeroed before each backward pass)
     */
    static void gradients(Map<String, Double> out, MecamModel model, ParameterStore ps, BatchBuilder train,
            NDManager manager, int batchSize, ActiveObjective objective, List<Parameter> all) {
        for (TermGradient t : termGradients(model, ps, train, manager, batchSize, objective, all)) {
            t.norms().forEach((m, norm) -> out.put(gradColumn(t.term().name(), m), norm));
        }
    }

    /**
     * Each weighted stage-1 term back-propagated alone on the second of two fixed training batches
     * (the first {@code batchSize} samples only fill a fresh entropy memory), without dropout.
     *
     * @param all every trainable parameter (zeroed before each backward pass and after the last)
     * @return the terms that gave a value, in order; empty without encoders or with fewer than 2 samples
     */
    public static List<TermGradient> termGradients(MecamModel model, ParameterStore ps, BatchBuilder train,
            NDManager manager, int batchSize, ActiveObjective objective, List<Parameter> all) {
        Map<Modality, List<Parameter>> encoders = new LinkedHashMap<>();
        for (Modality m : Modality.values()) {
            List<Parameter> p = model.encoderParameters(m);
            p.removeIf(x -> !x.getArray().hasGradient());
            if (!p.isEmpty()) {
                encoders.put(m, p);
            }
        }
        int n = train.split().size();
        int size = Math.min(batchSize, n);
        List<TermGradient> out = new ArrayList<>();
        if (encoders.isEmpty() || size < 2) {
            return out;
        }
        boolean second = n >= 2 * size;
        Map<LossTerm, LossTerm.State> states = objective.freshStates();
        try {
            int offset = 0;
            if (second) {
                try (NoGrad ignored = NoGrad.enter(); Batch first = train.build(manager, range(0, size))) {
                    objective.compute(Stage.MAIN, ps, first, model.forward(ps, first, false), false, states);
                }
                offset = size;
            }
            try (Batch batch = train.build(manager, range(offset, size));
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ActiveObjective.Computed c = objective.compute(Stage.MAIN, ps, batch, model.forward(ps, batch, false),
                        false, states);
                for (Map.Entry<LossTerm, LossTerm.Value> t : c.values().entrySet()) {
                    Gradients.zero(all);
                    double w = objective.signedWeight(t.getKey());
                    NDArray value = t.getValue().value();
                    NDArray target = w == 1 ? value : value.mul(Ops.scalar(value, w));
                    JniUtils.backward((PtNDArray) target, (PtNDArray) target.onesLike(), true, false);
                    Map<Modality, Double> norms = new LinkedHashMap<>();
                    for (Map.Entry<Modality, List<Parameter>> e : encoders.entrySet()) {
                        norms.put(e.getKey(), Gradients.norm(e.getValue(), manager));
                    }
                    out.add(new TermGradient(t.getKey(), w, value.getFloat(), norms));
                }
                Gradients.zero(all);
            }
        } finally {
            states.values().forEach(LossTerm.State::close);
        }
        return out;
    }

    /**
     * Measures the class separation of each modality's representations on {@code valid} into
     * {@code out}.
     */
    static void separation(Map<String, Double> out, MecamModel model, ParameterStore ps, BatchBuilder valid,
            NDManager manager, int batchSize) {
        Split split = valid.split();
        int n = split.size();
        Map<Modality, float[][]> h = new LinkedHashMap<>();
        Map<Modality, float[][]> z = new LinkedHashMap<>();
        try (NoGrad ignored = NoGrad.enter()) {
            for (int[] idx : BatchBuilder.plan(n, batchSize, null)) {
                try (Batch batch = valid.build(manager, idx)) {
                    MecamModel.Encoded enc = model.encode(ps, batch, false);
                    for (Modality m : Modality.values()) {
                        NDArray v = enc.vector(m);
                        if (v == null) {
                            continue;
                        }
                        store(h, m, n, idx, Ops.l2Normalize(v));
                        NDArray zm = model.contrastEmbedding(ps, m, v);
                        if (zm != null) {
                            store(z, m, n, idx, zm);
                        }
                    }
                }
            }
        }
        int[] cls = new int[n];
        for (int i = 0; i < n; i++) {
            cls[i] = ContrastTargets.class7(split.labels[i]);
        }
        for (Modality m : Modality.values()) {
            byte code = m.negativeCode();
            boolean[] clean = new boolean[n];
            boolean[] hit = new boolean[n];
            for (int i = 0; i < n; i++) {
                boolean flagged = split.hasNegativeFlags() && split.negative[i] != NegativeInfo.NONE;
                clean[i] = !flagged;
                hit[i] = flagged && split.negativeModality[i] == code;
            }
            for (Map.Entry<String, Map<Modality, float[][]>> space : Map.of("z", z, "h", h).entrySet()) {
                float[][] x = space.getValue().get(m);
                if (x == null) {
                    continue;
                }
                out.put(sepColumn(space.getKey(), m, true), gap(x, cls, clean));
                out.put(sepColumn(space.getKey(), m, false), gap(x, cls, hit));
            }
        }
    }

    /**
     * @param x unit rows
     * @param cls class of each row
     * @param anchors which rows to average over
     * @return mean over anchors with both same-class and other-class samples of (mean cosine to the
     *     same class - mean cosine to other classes), NaN without such anchors
     */
    public static double gap(float[][] x, int[] cls, boolean[] anchors) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < x.length; i++) {
            if (!anchors[i]) {
                continue;
            }
            double same = 0;
            double other = 0;
            int ns = 0;
            int no = 0;
            for (int j = 0; j < x.length; j++) {
                if (j == i) {
                    continue;
                }
                double s = 0;
                for (int d = 0; d < x[i].length; d++) {
                    s += x[i][d] * x[j][d];
                }
                if (cls[j] == cls[i]) {
                    same += s;
                    ns++;
                } else {
                    other += s;
                    no++;
                }
            }
            if (ns > 0 && no > 0) {
                sum += same / ns - other / no;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static void store(Map<Modality, float[][]> into, Modality m, int n, int[] idx, NDArray rows) {
        float[] flat = rows.toFloatArray();
        int d = (int) rows.getShape().get(1);
        float[][] x = into.computeIfAbsent(m, k -> new float[n][]);
        for (int k = 0; k < idx.length; k++) {
            x[idx[k]] = java.util.Arrays.copyOfRange(flat, k * d, (k + 1) * d);
        }
    }

    private static int[] range(int from, int size) {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
