package org.mecam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import org.knowm.xchart.XYChart;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.experiment.run.ResultStore;
import org.mecam.report.ExperimentCharts;
import org.mecam.report.FigureFiles;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;
import tech.tablesaw.api.Table;

/**
 * The robustness part of the report for a grid with a perturbation sweep, on one dataset: the
 * area under each metric-vs-level curve per method and perturbation, the effective robustness
 * against the sweep's reference, every curve point, and the curves with ± std bands
 * (METHOD.md, "Negative information at test time").
 */
final class RobustnessReport {

    private final GridSpec spec;
    private final String dataset;
    private final Curves curves;

    private RobustnessReport(GridSpec spec, String dataset, Curves curves) {
        this.spec = spec;
        this.dataset = dataset;
        this.curves = curves;
    }

    /** @return the report, or null when the grid's runs on that dataset have no robustness results */
    static RobustnessReport of(ResultStore store, GridSpec spec, String dataset) {
        Curves c = curves(store, spec, dataset);
        return c == null ? null : new RobustnessReport(spec, dataset, c);
    }

    /** Robustness curves of a grid on a dataset: (variant, perturbation) -> metric -> seed -> level -> value. */
    private record Curves(Map<String, Map<String, Map<Long, SortedMap<Double, Double>>>> curves, List<String> kinds,
            List<String> methods) {}

    /** Writes the tables and figures; returns the files. */
    List<Path> write(Path tables, Path figures, String base) throws IOException {
        List<Path> written = new ArrayList<>();
        TextTable[] t = robustnessTables(spec, dataset, curves);
        written.addAll(t[0].write(tables, base + "-robustness"));
        Files.createDirectories(tables);
        Path pointsFile = tables.resolve(base + "-robustness-curves.csv");
        Files.writeString(pointsFile, t[1].csv());
        written.add(pointsFile);
        for (String metric : List.of("mae", "acc2_has0", "f1_has0")) {
            List<XYChart> panels = panels(metric);
            written.addAll(FigureFiles.save(panels, Math.min(3, panels.size()), figures, base + "-robustness-" + metric));
        }
        return written;
    }

    /** @return the AUC and effective-robustness table */
    TextTable table() {
        return robustnessTables(spec, dataset, curves)[0];
    }

    /** @return one panel per perturbation: the metric against the level p per method, mean ± std bands */
    List<XYChart> panels(String metric) {
        return robustnessPanels(spec, curves, metric);
    }

    private static Curves curves(ResultStore store, GridSpec spec, String dataset) {
        Table rob = store.robustness();
        Map<String, Map<String, Map<Long, SortedMap<Double, Double>>>> curves = new LinkedHashMap<>();
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < rob.rowCount(); i++) {
            if (!rob.stringColumn("grid").get(i).equals(spec.name()) || !rob.stringColumn("dataset").get(i).equals(dataset)) {
                continue;
            }
            String key = rob.stringColumn("variant").get(i) + "\u0000" + rob.stringColumn("perturbation").get(i);
            if (!kinds.contains(rob.stringColumn("perturbation").get(i))) {
                kinds.add(rob.stringColumn("perturbation").get(i));
            }
            curves.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .computeIfAbsent(rob.stringColumn("metric").get(i), k -> new java.util.TreeMap<>())
                    .computeIfAbsent(rob.longColumn("seed").get(i), k -> new java.util.TreeMap<>())
                    .put(rob.doubleColumn("level").get(i), rob.doubleColumn("value").get(i));
        }
        if (curves.isEmpty()) {
            return null;
        }
        List<String> methods = new ArrayList<>();
        for (String v : spec.variants()) {
            if (curves.keySet().stream().anyMatch(k -> k.startsWith(spec.runVariant(v) + "\u0000"))) {
                methods.add(v);
            }
        }
        return new Curves(curves, kinds, methods);
    }

    /** @return the AUC / effective-robustness table and the table of every curve point */
    private static TextTable[] robustnessTables(GridSpec spec, String dataset, Curves c) {
        Map<String, Map<String, Map<Long, SortedMap<Double, Double>>>> curves = c.curves();
        List<String> kinds = c.kinds();
        List<String> methods = c.methods();
        String reference = spec.robustnessReference();
        List<String> headers = new ArrayList<>(List.of("method", "perturbation", "AUC MAE", "AUC Acc-2 (has0)",
                "AUC F1 (has0)"));
        if (reference != null) {
            headers.addAll(List.of("ER MAE vs " + reference + " [95% CI] (p)", "ER Acc-2 vs " + reference + " [95% CI] (p)"));
        }
        String compared = spec.reference();
        if (compared != null && !c.methods().contains(compared)) {
            compared = null;
        }
        if (compared != null) {
            headers.add("Δ AUC MAE vs " + compared + " [95% CI] (p)");
        }
        TextTable table = new TextTable("Robustness, " + spec.name() + " on " + dataset
                + " (area under the metric-vs-p curve, mean ± std over seeds)", headers);
        TextTable points = new TextTable("Robustness curves", List.of("method", "perturbation", "level", "metric", "mean",
                "std", "seeds"));
        for (String kind : kinds) {
            for (String method : methods) {
                Map<String, Map<Long, SortedMap<Double, Double>>> byMetric = curves.get(spec.runVariant(method) + "\u0000" + kind);
                if (byMetric == null) {
                    continue;
                }
                List<String> cells = new ArrayList<>(List.of(method, kind));
                for (String metric : List.of("mae", "acc2_has0", "f1_has0")) {
                    cells.add(meanStd(areas(byMetric.get(metric))));
                }
                if (reference != null) {
                    Map<String, Map<Long, SortedMap<Double, Double>>> ref = curves.get(spec.runVariant(reference) + "\u0000" + kind);
                    for (String metric : List.of("mae", "acc2_has0")) {
                        double[] er = ref == null ? new double[0] : effective(byMetric.get(metric), ref.get(metric),
                                metric.equals("mae"));
                        cells.add(Stats.pairedDifference(er, new double[er.length])); // ER against 0, seed by seed
                    }
                }
                if (compared != null) {
                    Map<String, Map<Long, SortedMap<Double, Double>>> base = curves.get(spec.runVariant(compared) + "\u0000" + kind);
                    cells.add(base == null || spec.runVariant(method).equals(spec.runVariant(compared)) ? ""
                            : pairedAreas(byMetric.get("mae"), base.get("mae")));
                }
                table.add(cells, null);
                for (String metric : SentimentMetrics.KEYS) {
                    for (Map.Entry<Double, double[]> e : pointwise(byMetric.get(metric)).entrySet()) {
                        points.add(List.of(method, kind, String.format(Locale.ROOT, "%.2f", e.getKey()), metric,
                                Double.toString(e.getValue()[0]), Double.toString(e.getValue()[1]),
                                Integer.toString((int) e.getValue()[2])), null);
                    }
                }
            }
        }
        table.note("AUC: trapezoid area over the levels p (relative robustness). ER (effective robustness): area between"
                + " the method's curve and the reference's curve shifted to match at p = 0, per seed; positive means the"
                + " method degrades less (for MAE the sign is flipped); its p tests ER = 0 over seeds. Δ AUC: the method's"
                + " AUC minus the grid reference's, paired by seed (" + Stats.PairedTest.name() + ").");
        return new TextTable[] {table, points};
    }

    private static String meanStd(double[] x) {
        return ExperimentReport.meanStd(x);
    }

    /** @return the paired difference of two methods' AUCs over the seeds both have the same levels for */
    private static String pairedAreas(Map<Long, SortedMap<Double, Double>> method, Map<Long, SortedMap<Double, Double>> base) {
        List<double[]> pairs = new ArrayList<>();
        for (Map.Entry<Long, SortedMap<Double, Double>> e : method.entrySet()) {
            SortedMap<Double, Double> b = base.get(e.getKey());
            if (b != null && b.keySet().equals(e.getValue().keySet())) {
                pairs.add(new double[] {Robustness.area(keys(e.getValue()), vals(e.getValue())), Robustness.area(keys(b), vals(b))});
            }
        }
        return Stats.pairedDifference(pairs.stream().mapToDouble(x -> x[0]).toArray(),
                pairs.stream().mapToDouble(x -> x[1]).toArray());
    }

    private static double[] areas(Map<Long, SortedMap<Double, Double>> bySeed) {
        return bySeed.values().stream().mapToDouble(c -> Robustness.area(keys(c), vals(c))).toArray();
    }

    private static double[] effective(Map<Long, SortedMap<Double, Double>> method, Map<Long, SortedMap<Double, Double>> ref,
            boolean lower) {
        List<Double> out = new ArrayList<>();
        for (Map.Entry<Long, SortedMap<Double, Double>> e : method.entrySet()) {
            SortedMap<Double, Double> r = ref.getOrDefault(e.getKey(), null);
            if (r != null && r.keySet().equals(e.getValue().keySet())) {
                out.add(Robustness.effective(keys(e.getValue()), vals(e.getValue()), vals(r), lower));
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** @return level to {mean, std, seeds} */
    private static SortedMap<Double, double[]> pointwise(Map<Long, SortedMap<Double, Double>> bySeed) {
        SortedMap<Double, List<Double>> byLevel = new java.util.TreeMap<>();
        bySeed.values().forEach(c -> c.forEach((p, v) -> byLevel.computeIfAbsent(p, k -> new ArrayList<>()).add(v)));
        SortedMap<Double, double[]> out = new java.util.TreeMap<>();
        byLevel.forEach((p, vs) -> {
            double[] x = vs.stream().mapToDouble(Double::doubleValue).toArray();
            out.put(p, new double[] {Stats.mean(x), Stats.std(x), x.length});
        });
        return out;
    }

    private static double[] keys(SortedMap<Double, Double> c) {
        return c.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] vals(SortedMap<Double, Double> c) {
        return c.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static List<XYChart> robustnessPanels(GridSpec spec, Curves c, String metric) {
        if (!SentimentMetrics.KEYS.contains(metric)) {
            throw new IllegalArgumentException("unknown metric '" + metric + "' (known: " + SentimentMetrics.KEYS + ")");
        }
        List<XYChart> panels = new ArrayList<>();
        for (String kind : c.kinds()) {
            Map<String, ExperimentCharts.MeanStd> byMethod = new LinkedHashMap<>();
            double[] levels = null;
            for (String method : c.methods()) {
                Map<String, Map<Long, SortedMap<Double, Double>>> byMetric = c.curves().get(spec.runVariant(method) + "\u0000" + kind);
                if (byMetric == null) {
                    continue;
                }
                SortedMap<Double, double[]> pts = pointwise(byMetric.get(metric));
                levels = pts.keySet().stream().mapToDouble(Double::doubleValue).toArray();
                byMethod.put(method, new ExperimentCharts.MeanStd(pts.values().stream().mapToDouble(v -> v[0]).toArray(),
                        pts.values().stream().mapToDouble(v -> v[1]).toArray()));
            }
            String unit = metric.equals("mae") ? "MAE (sentiment units)" : ExperimentReport.LABELS.getOrDefault(metric, metric) + " (fraction)";
            panels.add(ExperimentCharts.robustnessCurves(kind + ": " + ExperimentReport.LABELS.getOrDefault(metric, metric), unit, levels, byMethod));
        }
        return panels;
    }
}
