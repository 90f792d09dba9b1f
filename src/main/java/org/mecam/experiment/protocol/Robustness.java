package org.mecam.experiment.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Perturbation;
import org.mecam.data.batch.Perturbations;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.RunOptions;

/**
 * The robustness protocol (docs/METHOD.md, "Negative information at test time"): the test set perturbed at each level p, the same
 * corruption for every method (seeded by the perturbation, not the run), and the metrics of each.
 */
public final class Robustness {

    /** Seed of the test-set perturbations, shared by every run so that methods see the same data. */
    static final long TEST_SEED = 20250101L;

    /** One evaluation: a perturbation at a level and the test metrics under it. */
    public record Row(String perturbation, double level, SentimentMetrics metrics) {}

    private Robustness() {}

    /** @return a row per (perturbation, level), empty when the options ask for none */
    public static List<Row> evaluate(Predictor predictor, MultimodalDataset data, RunOptions options, long seed) {
        List<Row> rows = new ArrayList<>();
        SentimentMetrics clean = null; // every perturbation is the identity at p = 0: evaluated once
        for (Perturbation.Kind kind : options.robustness()) {
            for (double level : options.levels()) {
                SentimentMetrics m = level == 0 ? clean : null;
                if (m == null) {
                    Perturbations t = Perturbations.test(List.of(new Perturbation(kind, level)), TEST_SEED,
                            data.info().unknownTokenId());
                    m = SentimentMetrics.compute(predictor.predict(data.test(), t), data.test().labels);
                    clean = level == 0 ? m : clean;
                }
                rows.add(new Row(kind.key(), level, m));
            }
        }
        return rows;
    }

    /** @return the rows as CSV: perturbation, level, then every metric */
    public static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("perturbation,level,").append(String.join(",", SentimentMetrics.KEYS)).append('\n');
        for (Row r : rows) {
            sb.append(r.perturbation()).append(',').append(level(r.level()));
            for (String key : SentimentMetrics.KEYS) {
                sb.append(',').append(r.metrics().get(key));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** @return a level as written in robustness.csv: two decimals, up to four when needed (0.10, 0.125) */
    public static String level(double p) {
        java.text.DecimalFormat f = new java.text.DecimalFormat("0.00##", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));
        return f.format(p);
    }

    /** @return the trapezoid area under y(x) (relative robustness) */
    public static double area(double[] x, double[] y) {
        double a = 0;
        for (int i = 1; i < x.length; i++) {
            a += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return a;
    }

    /**
     * Effective robustness: the area between a method's curve and the reference (late fusion)
     * curve shifted to match it at p = 0; positive when the method degrades less. For MAE, where
     * lower is better, the sign is flipped.
     */
    public static double effective(double[] x, double[] method, double[] reference, boolean lowerIsBetter) {
        double[] shifted = new double[reference.length];
        for (int i = 0; i < reference.length; i++) {
            shifted[i] = reference[i] - reference[0] + method[0];
        }
        double gap = area(x, method) - area(x, shifted);
        return lowerIsBetter ? -gap : gap;
    }
}
