package org.mecam.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mecam.objective.Objective;
import org.mecam.objective.Stage;

/**
 * The means of one epoch's step values: each term's over the steps of its stage that gave it, the
 * stage-1 total loss, gradient norm and the terms' parts over every stage-1 step.
 */
final class EpochMeans {

    private final Objective objective;
    private final Map<String, double[]> terms = new LinkedHashMap<>();
    private final Map<String, Double> parts = new LinkedHashMap<>();
    private double total;
    private double gradNorm;
    private int steps;

    EpochMeans(Objective objective) {
        this.objective = objective;
    }

    /** Adds one step's values, in step order. */
    void add(Stage stage, Trainer.StepLosses l) {
        l.terms().forEach((name, v) -> {
            double[] sum = terms.computeIfAbsent(name, k -> new double[2]);
            if (!Double.isNaN(v)) {
                sum[0] += v;
                sum[1]++;
            }
        });
        if (stage == Stage.MAIN) {
            total += l.total();
            gradNorm += l.gradNorm();
            l.parts().forEach((k, v) -> parts.merge(k, v, Double::sum));
        }
    }

    /** A stage ended after {@code n} steps. */
    void endStage(Stage stage, int n) {
        if (stage == Stage.MAIN) {
            steps = n;
        }
    }

    /** @return every term of the objective, by name: its mean, NaN when it gave no value */
    Map<String, Double> terms() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : objective.names()) {
            double[] sum = terms.get(name);
            out.put(name, sum == null || sum[1] == 0 ? Double.NaN : sum[0] / sum[1]);
        }
        return out;
    }

    /** @return the parts' means over the stage-1 steps */
    Map<String, Double> parts() {
        Map<String, Double> out = new LinkedHashMap<>();
        parts.forEach((k, v) -> out.put(k, v / steps));
        return out;
    }

    double total() {
        return total / steps;
    }

    double gradNorm() {
        return gradNorm / steps;
    }
}
