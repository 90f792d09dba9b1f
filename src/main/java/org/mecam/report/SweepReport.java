package org.mecam.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.run.ResultStore;
import org.mecam.report.ExperimentCharts;
import org.mecam.report.FigureFiles;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;

/**
 * The report of a grid whose datasets differ in exactly one numeric setting (the
 * negative-fraction sweep: {@code negativeFraction} 0, 0.15, 0.3, 0.5): each metric against that
 * setting per variant, with 95 % confidence intervals over seeds and paired tests against the
 * reference variant, overall and on clean vs each kind of negative test sample.
 */
final class SweepReport {

    /** Settings that never define a sweep axis. */
    private static final Set<String> IGNORED = Set.of("seed", "name", "results", "threads", "device", "provenance");

    /** The swept setting and its value for each dataset, in ascending order of value. */
    record Axis(String key, SortedMap<Double, String> datasets) {}

    private final ResultStore store;
    private final GridSpec spec;
    private final Axis axis;

    private SweepReport(ResultStore store, GridSpec spec, Axis axis) {
        this.store = store;
        this.spec = spec;
        this.axis = axis;
    }

    /** @return the report of {@code spec}'s grid, or null when its datasets do not differ in one numeric setting */
    static SweepReport of(ResultStore store, GridSpec spec) {
        Axis axis = axis(store, spec.name());
        return axis == null ? null : new SweepReport(store, spec, axis);
    }

    /** @return the axis of a grid's datasets, or null */
    static Axis axis(ResultStore store, String grid) {
        Map<String, JsonObject> configs = new LinkedHashMap<>();
        for (ResultStore.Run r : store.runs()) {
            if (r.grid().equals(grid)) {
                configs.putIfAbsent(r.dataset(), r.config());
            }
        }
        if (configs.size() < 2) {
            return null;
        }
        // compare dataset-level keys: those on which every run of one dataset agrees
        List<JsonObject> list = new ArrayList<>(configs.values());
        String key = null;
        for (String k : list.get(0).keySet()) {
            if (IGNORED.contains(k)) {
                continue;
            }
            boolean differs = false;
            for (JsonObject c : list) {
                differs |= !java.util.Objects.equals(c.get(k), list.get(0).get(k));
            }
            if (differs && datasetLevel(store, grid, k)) {
                if (key != null) {
                    return null; // two settings change from dataset to dataset: no single axis
                }
                key = k;
            }
        }
        if (key == null) {
            return null;
        }
        SortedMap<Double, String> byValue = new TreeMap<>();
        for (Map.Entry<String, JsonObject> e : configs.entrySet()) {
            JsonElement v = e.getValue().get(key);
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                return null;
            }
            byValue.put(v.getAsDouble(), e.getKey());
        }
        return byValue.size() == configs.size() ? new Axis(key, byValue) : null;
    }

    /** @return whether every run of each dataset of the grid has one value of {@code key} */
    private static boolean datasetLevel(ResultStore store, String grid, String key) {
        Map<String, JsonElement> seen = new LinkedHashMap<>();
        for (ResultStore.Run r : store.runs()) {
            if (r.grid().equals(grid)) {
                JsonElement v = r.config().get(key);
                JsonElement first = seen.putIfAbsent(r.dataset(), v);
                if (first != null && !first.equals(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    Axis axis() {
        return axis;
    }

    /** Writes the tables and figures; returns the files. */
    List<Path> write(Path tables, Path figures) throws IOException {
        List<Path> out = new ArrayList<>();
        String base = Grid.slug(spec.name()) + "-sweep";
        out.addAll(overall().write(tables, base));
        out.addAll(subsets().write(tables, base + "-negative-info"));
        out.addAll(FigureFiles.save(panels(), 2, figures, base));
        return out;
    }

    /** @return per variant and setting: MAE, Acc-2, Corr with 95 % CIs and the paired difference to the reference */
    TextTable overall() {
        TextTable t = new TextTable(spec.name() + ": test metrics against " + axis.key()
                + " (mean [95% CI] over seeds; Δ to '" + spec.reference() + "' with " + Stats.PairedTest.name() + ")",
                List.of("variant", axis.key(), "seeds", "MAE", "Acc-2 (has0)", "Corr", "Δ MAE (p, pairs)",
                        "Δ Acc-2 (p, pairs)"));
        for (String variant : spec.variants()) {
            if (spec.sameAs().containsKey(variant)) {
                continue;
            }
            for (Map.Entry<Double, String> x : axis.datasets().entrySet()) {
                SortedMap<Long, Double> mae = metric(x.getValue(), variant, "mae");
                if (mae.isEmpty()) {
                    continue;
                }
                t.add(List.of(variant, number(x.getKey()), Integer.toString(mae.size()), ci(mae.values()),
                        ci(metric(x.getValue(), variant, "acc2_has0").values()), ci(metric(x.getValue(), variant, "corr").values()),
                        difference(x.getValue(), variant, "mae", null), difference(x.getValue(), variant, "acc2_has0", null)),
                        null);
            }
        }
        t.note("Seeds are paired by seed number; p is NaN with fewer than two pairs. The reference is the grid's.");
        return t;
    }

    /** @return per variant and setting: MAE on clean and on each kind of negative test sample */
    TextTable subsets() {
        List<String> headers = new ArrayList<>(List.of("variant", axis.key(), "seeds"));
        List<String> kinds = NegativeInfoTable.subsets(store, spec.name(), axis.datasets().values());
        for (String s : kinds) {
            headers.add("MAE " + s);
        }
        headers.add("Δ MAE affected (p, pairs)");
        TextTable t = new TextTable(spec.name() + ": test MAE on clean samples and by kind of negative information "
                + "(mean [95% CI] over seeds)", headers);
        for (String variant : spec.variants()) {
            if (spec.sameAs().containsKey(variant)) {
                continue;
            }
            for (Map.Entry<Double, String> x : axis.datasets().entrySet()) {
                SortedMap<Long, Double> clean = subset(x.getValue(), variant, "clean", "mae");
                if (clean.isEmpty() && metric(x.getValue(), variant, "mae").isEmpty()) {
                    continue;
                }
                List<String> cells = new ArrayList<>(List.of(variant, number(x.getKey()),
                        Integer.toString(metric(x.getValue(), variant, "mae").size())));
                for (String s : kinds) {
                    cells.add(ci(subset(x.getValue(), variant, s, "mae").values()));
                }
                cells.add(difference(x.getValue(), variant, "mae", "affected"));
                t.add(cells, null);
            }
        }
        t.note("clean: test samples without negative information; affected: with any; then by kind (conflict: one "
                + "modality expresses the opposite sentiment; noise / drop: audio or vision frames; shuffle: word order"
                + (kinds.contains("garble") ? "; garble: off-distribution tokens). " : "). ")
                + "Empty: no such test samples (fraction 0).");
        return t;
    }

    /** @return MAE (overall, clean, affected) and Acc-2 against the setting, one line per variant with 95 % CI bands */
    List<XYChart> panels() {
        List<XYChart> out = new ArrayList<>();
        out.add(panel("Test MAE, all samples", "MAE (sentiment units)", "mae", null));
        out.add(panel("Test Acc-2 (has0), all samples", "Acc-2 (fraction)", "acc2_has0", null));
        out.add(panel("Test MAE, clean samples", "MAE (sentiment units)", "mae", "clean"));
        out.add(panel("Test MAE, samples with negative information", "MAE (sentiment units)", "mae", "affected"));
        return out;
    }

    private XYChart panel(String title, String yTitle, String metric, String subset) {
        Map<String, ExperimentCharts.Band> lines = new LinkedHashMap<>();
        for (String variant : spec.variants()) {
            if (spec.sameAs().containsKey(variant)) {
                continue;
            }
            List<Double> x = new ArrayList<>();
            List<Double> mean = new ArrayList<>();
            List<Double> half = new ArrayList<>();
            for (Map.Entry<Double, String> e : axis.datasets().entrySet()) {
                double[] v = values((subset == null ? metric(e.getValue(), variant, metric)
                        : subset(e.getValue(), variant, subset, metric)).values());
                if (v.length > 0) {
                    x.add(e.getKey());
                    mean.add(Stats.mean(v));
                    half.add(v.length < 2 ? 0 : Stats.ci95(v));
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            lines.put(variant, new ExperimentCharts.Band(x.stream().mapToDouble(Double::doubleValue).toArray(),
                    mean.stream().mapToDouble(Double::doubleValue).toArray(),
                    half.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return ExperimentCharts.bandCurves(title, axis.key(), yTitle, lines, "95% CI");
    }

    private SortedMap<Long, Double> metric(String dataset, String variant, String metric) {
        return store.values(spec.name(), dataset, spec.runVariant(variant), metric);
    }

    private SortedMap<Long, Double> subset(String dataset, String variant, String subset, String metric) {
        return NegativeInfoTable.values(store, spec, dataset, variant, subset, metric);
    }

    /** @return "Δ (p = ..., n)" of variant - reference over the seeds both have, empty for the reference itself */
    private String difference(String dataset, String variant, String metric, String subset) {
        if (spec.runVariant(variant).equals(spec.runVariant(spec.reference()))) {
            return "";
        }
        SortedMap<Long, Double> a = subset == null ? metric(dataset, variant, metric) : subset(dataset, variant, subset, metric);
        SortedMap<Long, Double> b = subset == null ? metric(dataset, spec.reference(), metric)
                : subset(dataset, spec.reference(), subset, metric);
        List<Long> seeds = new ArrayList<>(a.keySet());
        seeds.retainAll(b.keySet());
        if (seeds.isEmpty()) {
            return "";
        }
        double[] x = new double[seeds.size()];
        double[] y = new double[seeds.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = a.get(seeds.get(i));
            y[i] = b.get(seeds.get(i));
        }
        Stats.PairedTest test = Stats.pairedTTest(x, y);
        return String.format(Locale.ROOT, "%+.4f (p=%s, n=%d)", test.meanDifference(),
                Double.isNaN(test.p()) ? "NaN" : String.format(Locale.ROOT, "%.3g", test.p()), test.n());
    }

    private static String ci(java.util.Collection<Double> values) {
        return Stats.meanCi(values(values), "%.4f");
    }

    private static double[] values(java.util.Collection<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String number(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e9 ? Long.toString((long) x) : Double.toString(x);
    }
}
