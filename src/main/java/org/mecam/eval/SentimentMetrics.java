package org.mecam.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test metrics of predictions against labels, computed as MMIM's {@code eval_mosei_senti}:
 *
 * <ul>
 *   <li>MAE; Pearson correlation (0 with a warning when either side is constant);
 *   <li>Acc-7 / Acc-5: both clipped to [-3, 3] / [-2, 2], rounded half to even (numpy's
 *       {@code np.round}), exact match;
 *   <li>Acc-2 / F1 has0: truth y >= 0 vs y < 0 and prediction p >= 0 vs p < 0, all samples;
 *   <li>Acc-2 / F1 non0: samples with y == 0 removed, y > 0 vs y < 0, p > 0 vs p <= 0;
 *   <li>F1: the support-weighted mean of both classes' F1 (sklearn {@code average='weighted'}).
 * </ul>
 *
 * @param mae mean absolute error
 * @param corr Pearson correlation
 * @param acc7 7-class accuracy
 * @param acc5 5-class accuracy
 * @param acc2Has0 binary accuracy, has0
 * @param f1Has0 weighted F1, has0
 * @param acc2Non0 binary accuracy, non0 (NaN if every label is 0)
 * @param f1Non0 weighted F1, non0 (NaN if every label is 0)
 * @param n number of samples
 * @param warnings degenerate cases met
 */
public record SentimentMetrics(
        double mae, double corr, double acc7, double acc5, double acc2Has0, double f1Has0,
        double acc2Non0, double f1Non0, int n, List<String> warnings) {

    /** The JSON keys, in order. */
    public static final List<String> KEYS =
            List.of("mae", "corr", "acc7", "acc5", "acc2_has0", "f1_has0", "acc2_non0", "f1_non0");

    /**
     * @param predictions predicted scores
     * @param labels true scores
     * @throws IllegalArgumentException if the arrays differ in length or are empty
     */
    public static SentimentMetrics compute(float[] predictions, float[] labels) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException(
                    predictions.length + " predictions but " + labels.length + " labels");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("no predictions to evaluate");
        }
        List<String> warnings = new ArrayList<>();
        int n = labels.length;
        double mae = 0;
        int hit7 = 0;
        int hit5 = 0;
        for (int i = 0; i < n; i++) {
            double p = predictions[i];
            double y = labels[i];
            mae += Math.abs(p - y);
            hit7 += Math.rint(clip(p, 3)) == Math.rint(clip(y, 3)) ? 1 : 0;
            hit5 += Math.rint(clip(p, 2)) == Math.rint(clip(y, 2)) ? 1 : 0;
        }
        boolean[] truthHas0 = new boolean[n];
        boolean[] predHas0 = new boolean[n];
        int nonZero = 0;
        for (int i = 0; i < n; i++) {
            truthHas0[i] = labels[i] >= 0;
            predHas0[i] = predictions[i] >= 0;
            nonZero += labels[i] != 0 ? 1 : 0;
        }
        boolean[] truthNon0 = new boolean[nonZero];
        boolean[] predNon0 = new boolean[nonZero];
        for (int i = 0, k = 0; i < n; i++) {
            if (labels[i] != 0) {
                truthNon0[k] = labels[i] > 0;
                predNon0[k++] = predictions[i] > 0;
            }
        }
        if (nonZero == 0) {
            warnings.add("every label is 0: non0 metrics are undefined (NaN)");
        }
        return new SentimentMetrics(mae / n, pearson(predictions, labels, warnings), (double) hit7 / n, (double) hit5 / n,
                accuracy(truthHas0, predHas0), weightedF1(truthHas0, predHas0),
                nonZero == 0 ? Double.NaN : accuracy(truthNon0, predNon0),
                nonZero == 0 ? Double.NaN : weightedF1(truthNon0, predNon0),
                n, Collections.unmodifiableList(warnings));
    }

    private static double clip(double v, double bound) {
        return Math.max(-bound, Math.min(bound, v));
    }

    /** Pearson correlation; 0 (and a warning) when either side has zero variance. */
    static double pearson(float[] a, float[] b, List<String> warnings) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        if (saa == 0 || sbb == 0) {
            warnings.add((saa == 0 ? "predictions" : "labels") + " are constant: correlation is undefined, reported as 0");
            return 0;
        }
        return sab / Math.sqrt(saa * sbb);
    }

    static double accuracy(boolean[] truth, boolean[] pred) {
        int hit = 0;
        for (int i = 0; i < truth.length; i++) {
            hit += truth[i] == pred[i] ? 1 : 0;
        }
        return (double) hit / truth.length;
    }

    /** sklearn's f1_score(average='weighted') over the classes true and false; 0 F1 where undefined. */
    static double weightedF1(boolean[] truth, boolean[] pred) {
        double total = 0;
        for (boolean cls : new boolean[] {false, true}) {
            int tp = 0;
            int predicted = 0;
            int support = 0;
            for (int i = 0; i < truth.length; i++) {
                tp += truth[i] == cls && pred[i] == cls ? 1 : 0;
                predicted += pred[i] == cls ? 1 : 0;
                support += truth[i] == cls ? 1 : 0;
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            total += f1 * support;
        }
        return total / truth.length;
    }

    /** @return the metrics under their JSON keys, in order */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        double[] values = {mae, corr, acc7, acc5, acc2Has0, f1Has0, acc2Non0, f1Non0};
        for (int i = 0; i < KEYS.size(); i++) {
            m.put(KEYS.get(i), values[i]);
        }
        return m;
    }

    /** @return the value of one key of {@link #KEYS} */
    public double get(String key) {
        Double v = toMap().get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown metric '" + key + "' (" + KEYS + ")");
        }
        return v;
    }
}
