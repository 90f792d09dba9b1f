package org.mecam.experiment.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;
import org.mecam.eval.SentimentMetrics;

/**
 * Test metrics split by the samples' recorded negative information (synthetic data): clean
 * samples, affected ones, and each kind.
 */
public final class NegativeSubsets {

    private NegativeSubsets() {}

    /** @return subset name to metrics (empty when the split has no flags) */
    public static Map<String, Map<String, Double>> metrics(Split test, float[] predictions) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (!test.hasNegativeFlags()) {
            return out;
        }
        add(out, "clean", test, predictions, k -> k == NegativeInfo.NONE);
        add(out, "affected", test, predictions, k -> k != NegativeInfo.NONE);
        for (NegativeInfo kind : NegativeInfo.values()) {
            if (kind != NegativeInfo.NONE) {
                add(out, kind.key(), test, predictions, k -> k == kind);
            }
        }
        return out;
    }

    private static void add(Map<String, Map<String, Double>> out, String name, Split test, float[] predictions,
            java.util.function.Predicate<NegativeInfo> keep) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            if (keep.test(test.negative[i])) {
                idx.add(i);
            }
        }
        if (idx.size() < 2) {
            return;
        }
        float[] p = new float[idx.size()];
        float[] y = new float[idx.size()];
        for (int k = 0; k < p.length; k++) {
            p[k] = predictions[idx.get(k)];
            y[k] = test.labels[idx.get(k)];
        }
        Map<String, Double> m = new LinkedHashMap<>(SentimentMetrics.compute(p, y).toMap());
        m.put("n", (double) idx.size());
        out.put(name, m);
    }
}
