package org.mecam.report;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import org.mecam.experiment.run.ResultStore;

/**
 * Does each modality add what the others lack? In a grid whose variants differ only in
 * {@code modalities}, each set of two or three modalities against each set with one modality
 * fewer: the paired MAE difference (the smaller set's MAE minus the larger's, so positive means
 * the added modality helps), its 95 % CI, p Holm-corrected over the family, and whether the CI's
 * lower end clears the margin the benchmark promises ({@value #MARGIN} MAE).
 */
final class ComplementarityTable {

    /** The margin by which a modality set must beat each of its subsets (docs/METHOD.md, "Data"). */
    static final double MARGIN = 0.05;

    private ComplementarityTable() {}

    /** @return the table, or null when the dataset's variants do not differ only in their modalities */
    static TextTable of(ResultStore store, GridSpec spec, String dataset) {
        Map<String, String> sets = new LinkedHashMap<>();
        JsonObject common = null;
        for (String v : spec.variants()) {
            JsonObject c = store.runs().stream().filter(r -> r.grid().equals(spec.name()) && r.dataset().equals(dataset)
                    && r.variant().equals(spec.runVariant(v))).map(ResultStore.Run::config).findFirst().orElse(null);
            if (c == null || !c.has("modalities")) {
                continue;
            }
            JsonObject rest = c.deepCopy();
            for (String k : List.of("modalities", "seed", "dataSeed", "device", "threads", "results", "name", "provenance")) {
                rest.remove(k);
            }
            if (common == null) {
                common = rest;
            } else if (!common.equals(rest)) {
                return null;
            }
            sets.put(v, sorted(c.get("modalities").getAsString()));
        }
        if (sets.size() < 3 || sets.values().stream().distinct().count() != sets.size()) {
            return null;
        }
        List<String[]> pairs = new ArrayList<>();
        for (Map.Entry<String, String> big : sets.entrySet()) {
            for (Map.Entry<String, String> small : sets.entrySet()) {
                if (small.getValue().length() == big.getValue().length() - 1
                        && small.getValue().chars().allMatch(ch -> big.getValue().indexOf(ch) >= 0)) {
                    pairs.add(new String[] {big.getKey(), small.getKey()});
                }
            }
        }
        if (pairs.isEmpty()) {
            return null;
        }
        double[] p = new double[pairs.size()];
        List<double[]> diffs = new ArrayList<>();
        for (int k = 0; k < pairs.size(); k++) {
            SortedMap<Long, Double> big = store.values(spec.name(), dataset, spec.runVariant(pairs.get(k)[0]), "mae");
            SortedMap<Long, Double> small = store.values(spec.name(), dataset, spec.runVariant(pairs.get(k)[1]), "mae");
            List<Long> seeds = new ArrayList<>(big.keySet());
            seeds.retainAll(small.keySet());
            double[] a = seeds.stream().mapToDouble(small::get).toArray();
            double[] b = seeds.stream().mapToDouble(big::get).toArray();
            double[] d = new double[a.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = a[i] - b[i];
            }
            diffs.add(d);
            p[k] = d.length < 2 ? Double.NaN : Stats.pairedTTest(a, b).p();
        }
        double[] holm = Power.holm(p);
        TextTable t = new TextTable("Complementarity, " + spec.name() + " on " + dataset + ": what adding a modality gains"
                + " (MAE of the smaller set − MAE of the larger, paired by seed)", List.of("modalities", "against",
                "seeds", "MAE gain [95 % CI]", "p (Holm)", "lower end ≥ " + MARGIN));
        for (int k = 0; k < pairs.size(); k++) {
            double[] d = diffs.get(k);
            if (d.length < 2) {
                continue;
            }
            double m = Stats.mean(d);
            double h = Stats.ci95(d);
            t.add(List.of(pairs.get(k)[0], pairs.get(k)[1], Integer.toString(d.length),
                    String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", m, m - h, m + h),
                    String.format(Locale.ROOT, "%.4f", holm[k]), m - h >= MARGIN ? "yes" : "no"), null);
        }
        t.note("p: " + Stats.PairedTest.name() + ", Holm-corrected over the " + pairs.size() + " comparisons. The benchmark"
                + " promises that every set beats each of its subsets by at least " + MARGIN + " MAE on clean data.");
        return t;
    }

    private static String sorted(String modalities) {
        StringBuilder out = new StringBuilder();
        for (char m : "tav".toCharArray()) {
            if (modalities.indexOf(m) >= 0) {
                out.append(m);
            }
        }
        return out.toString();
    }
}
