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
import org.mecam.engine.NoGrad;
import org.mecam.model.ContrastTargets;
import org.mecam.model.EntropyMemory;
import org.mecam.model.MecamModel;
import org.mecam.model.Ops;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;

/**
 * What each loss term does to the encoders, measured once per epoch (METHOD.md, "Diagnostics").
 *
 * <p><b>Gradient norms.</b> On two fixed training batches (the first 2 x batch-size samples of the
 * training split, the same every epoch; the first only fills a temporary entropy memory), one
 * forward pass without dropout, then one backward pass per weighted loss term as it enters the
 * stage-1 loss: task L1, alpha * nce (nce = k (L_t + L_a + L_v); since L_m reaches only encoder
 * m, its norm on encoder m is the per-modality term's), -beta * lld and -beta * H. Column
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

    /** Loss terms of the gradient columns. */
    public static final List<String> TERMS = List.of("task", "contrastive", "lld", "entropy");
    /** Encoders (modalities) of the gradient and separation columns. */
    public static final List<Character> MODALITIES = List.of('t', 'a', 'v');
    /** Every diagnostics column of {@code epochs.csv}, in order. */
    public static final List<String> COLUMNS;

    static {
        List<String> c = new ArrayList<>();
        for (char m : MODALITIES) {
            c.add("contrastive_" + m);
        }
        for (String term : TERMS) {
            for (char m : MODALITIES) {
                c.add("grad_" + term + "_" + m);
            }
        }
        for (String space : List.of("z", "h")) {
            for (char m : MODALITIES) {
                c.add("sep_" + space + "_" + m + "_clean");
                c.add("sep_" + space + "_" + m + "_neg");
            }
        }
        COLUMNS = Collections.unmodifiableList(c);
    }

    private EpochDiagnostics() {}

    /** @return a map with every column NaN, to be filled */
    public static Map<String, Double> empty() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String c : COLUMNS) {
            out.put(c, Double.NaN);
        }
        return out;
    }

    /**
     * Measures the gradient norms of each weighted term on each encoder into {@code out}.
     *
     * @param all every trainable parameter (zeroed before each backward pass)
     * @param mi whether the MI terms are on
     */
    static void gradients(Map<String, Double> out, MecamModel model, ParameterStore ps, BatchBuilder train,
            NDManager manager, int batchSize, double alpha, double beta, boolean mi, List<Parameter> all) {
        Map<Character, List<Parameter>> encoders = new LinkedHashMap<>();
        for (char m : MODALITIES) {
            List<Parameter> p = model.encoderParameters(m);
            p.removeIf(x -> !x.getArray().hasGradient());
            if (!p.isEmpty()) {
                encoders.put(m, p);
            }
        }
        int n = train.split().size();
        int size = Math.min(batchSize, n);
        if (encoders.isEmpty() || size < 2) {
            return;
        }
        boolean second = n >= 2 * size;
        try (EntropyMemory memory = new EntropyMemory(manager)) {
            int offset = 0;
            if (second) {
                try (NoGrad ignored = NoGrad.enter(); Batch first = train.build(manager, range(0, size))) {
                    model.forward(ps, first, MecamModel.Stage.MAIN, mi ? memory : null, false);
                }
                offset = size;
            }
            try (Batch batch = train.build(manager, range(offset, size));
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                MecamModel.Output out0 = model.forward(ps, batch, MecamModel.Stage.MAIN, mi ? memory : null, false);
                NDArray task = out0.prediction().sub(batch.labels).abs().mean();
                Map<String, NDArray> terms = new LinkedHashMap<>();
                terms.put("task", task);
                if (out0.nce() != null) {
                    terms.put("contrastive", out0.nce().mul(Ops.scalar(task, alpha)));
                }
                if (out0.lld() != null) {
                    terms.put("lld", out0.lld().mul(Ops.scalar(task, -beta)));
                }
                if (out0.entropy() != null) {
                    terms.put("entropy", out0.entropy().mul(Ops.scalar(task, -beta)));
                }
                for (Map.Entry<String, NDArray> t : terms.entrySet()) {
                    Gradients.zero(all);
                    NDArray target = t.getValue();
                    JniUtils.backward((PtNDArray) target, (PtNDArray) target.onesLike(), true, false);
                    for (Map.Entry<Character, List<Parameter>> e : encoders.entrySet()) {
                        out.put("grad_" + t.getKey() + "_" + e.getKey(), Gradients.norm(e.getValue(), manager));
                    }
                }
                Gradients.zero(all);
            }
        }
    }

    /**
     * Measures the class separation of each modality's representations on {@code valid} into
     * {@code out}.
     */
    static void separation(Map<String, Double> out, MecamModel model, ParameterStore ps, BatchBuilder valid,
            NDManager manager, int batchSize) {
        Split split = valid.split();
        int n = split.size();
        Map<Character, float[][]> h = new LinkedHashMap<>();
        Map<Character, float[][]> z = new LinkedHashMap<>();
        try (NoGrad ignored = NoGrad.enter()) {
            for (int[] idx : BatchBuilder.plan(n, batchSize, null)) {
                try (Batch batch = valid.build(manager, idx)) {
                    MecamModel.Encoded enc = model.encode(ps, batch, false);
                    for (char m : MODALITIES) {
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
        for (char m : MODALITIES) {
            byte code = m == 't' ? NegativeInfo.MOD_TEXT : m == 'a' ? NegativeInfo.MOD_AUDIO : NegativeInfo.MOD_VISION;
            boolean[] clean = new boolean[n];
            boolean[] hit = new boolean[n];
            for (int i = 0; i < n; i++) {
                boolean flagged = split.hasNegativeFlags() && split.negative[i] != NegativeInfo.NONE;
                clean[i] = !flagged;
                hit[i] = flagged && split.negativeModality[i] == code;
            }
            for (Map.Entry<String, Map<Character, float[][]>> space : Map.of("z", z, "h", h).entrySet()) {
                float[][] x = space.getValue().get(m);
                if (x == null) {
                    continue;
                }
                out.put("sep_" + space.getKey() + "_" + m + "_clean", gap(x, cls, clean));
                out.put("sep_" + space.getKey() + "_" + m + "_neg", gap(x, cls, hit));
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

    private static void store(Map<Character, float[][]> into, char m, int n, int[] idx, NDArray rows) {
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
