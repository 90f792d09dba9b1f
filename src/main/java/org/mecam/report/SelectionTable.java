package org.mecam.report;

import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.mecam.experiment.run.ResultStore;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;

/**
 * The model-selection view of a grid on one dataset: each variant's best validation MAE (what
 * selection and sweeps such as alpha-sweep-mosi may look at) next to its test MAE (what they must
 * not), mean ± std over seeds, the lowest validation mean in bold.
 */
final class SelectionTable {

    private SelectionTable() {}

    static TextTable of(ResultStore store, GridSpec spec, String dataset) {
        TextTable t = new TextTable("Validation vs test, " + spec.name() + " on " + dataset
                + " (best-validation checkpoint, mean ± std over seeds)", List.of("variant", "seeds", "valid MAE", "test MAE"));
        double best = Double.POSITIVE_INFINITY;
        for (String v : spec.variants()) {
            double[] valid = values(store.values(spec.name(), dataset, spec.runVariant(v), "valid_mae"));
            if (valid.length > 0) {
                best = Math.min(best, Stats.mean(valid));
            }
        }
        for (String v : spec.variants()) {
            double[] valid = values(store.values(spec.name(), dataset, spec.runVariant(v), "valid_mae"));
            double[] test = values(store.values(spec.name(), dataset, spec.runVariant(v), "mae"));
            boolean[] bold = new boolean[4];
            bold[2] = valid.length > 0 && Stats.mean(valid) == best;
            t.add(List.of(v, Integer.toString(valid.length), meanStd(valid), meanStd(test)), bold);
        }
        t.note("Bold: lowest mean validation MAE, the choice a validation-only selection makes. Runs made before "
                + "metrics.json carried valid_mae show no validation value.");
        return t;
    }

    private static double[] values(SortedMap<Long, Double> bySeed) {
        return bySeed.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String meanStd(double[] x) {
        if (x.length == 0) {
            return "";
        }
        return x.length < 2 ? String.format(Locale.ROOT, "%.4f", x[0])
                : String.format(Locale.ROOT, "%.4f ± %.4f", Stats.mean(x), Stats.std(x));
    }
}
