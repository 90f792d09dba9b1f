package org.mecam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.knowm.xchart.CategoryChart;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.run.ResultStore;
import org.mecam.report.ExperimentCharts;
import org.mecam.report.FigureFiles;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;

/**
 * The ablation part of the report for a grid on one dataset: the table of each metric's mean ±
 * std over seeds per variant (best in bold), the paired differences to the reference variant,
 * the validation and diagnostics tables, bars with error bars, and the paired differences as a
 * dot-and-interval plot (each variant's mean difference with its 95 % CI, sorted, the
 * Holm-significant ones filled).
 */
final class AblationReport {

    private final ResultStore store;
    private final GridSpec spec;
    private final String dataset;

    AblationReport(ResultStore store, GridSpec spec, String dataset) {
        this.store = store;
        this.spec = spec;
        this.dataset = dataset;
    }

    /**
     * @return bars of the metric's mean per variant with ± std error bars, from zero; a variant that
     *     reuses another's runs ({@code same_as}) is not drawn again
     */
    CategoryChart bars(String metric) {
        int k = metricIndex(metric);
        AblationStats a = ablationStats(spec, dataset);
        List<String> variants = new ArrayList<>();
        List<Double> m = new ArrayList<>();
        List<Double> sd = new ArrayList<>();
        java.util.Set<String> drawn = new java.util.HashSet<>();
        for (int v = 0; v < spec.variants().size(); v++) {
            if (drawn.add(spec.runVariant(spec.variants().get(v)))) {
                variants.add(spec.variants().get(v));
                m.add(a.means()[v][k]);
                sd.add(a.stds()[v][k]);
            }
        }
        String unit = metric.equals("mae") ? "MAE (sentiment units, lower is better)" : ExperimentReport.LABELS.get(metric) + " (fraction)";
        return ExperimentCharts.ablationBars("Ablations: " + ExperimentReport.LABELS.get(metric) + ", " + dataset, unit, variants,
                new ExperimentCharts.MeanStd(m.stream().mapToDouble(Double::doubleValue).toArray(),
                        sd.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    private static int metricIndex(String metric) {
        int k = SentimentMetrics.KEYS.indexOf(metric);
        if (k < 0) {
            throw new IllegalArgumentException("unknown metric '" + metric + "' (known: " + SentimentMetrics.KEYS + ")");
        }
        return k;
    }

    /**
     * One variant's paired difference to the reference in one metric, the numbers of its cell in
     * the differences table.
     *
     * @param variant the row's variant
     * @param pairs the seeds both variants have
     * @param mean mean of variant − reference over the pairs (NaN without pairs)
     * @param low lower end of its 95 % CI (t; NaN for fewer than two pairs)
     * @param high upper end of its 95 % CI
     * @param p the paired t-test's two-sided p
     * @param pHolm p corrected (Holm) over the variants of the table
     */
    record Difference(String variant, int pairs, double mean, double low, double high, double p, double pHolm) {

        /** @return whether the difference is significant at 0.05 after the Holm correction */
        boolean significant() {
            return pHolm < 0.05;
        }
    }

    /**
     * @param metric a key of {@link SentimentMetrics#KEYS}
     * @return each variant's paired difference to the reference in the metric, in the table's rows
     *     and order, the p-values Holm-corrected over them
     */
    List<Difference> differences(String metric) {
        metricIndex(metric);
        List<String> compared = compared(spec);
        double[] mean = new double[compared.size()];
        double[] half = new double[compared.size()];
        double[] p = new double[compared.size()];
        int[] pairs = new int[compared.size()];
        for (int r = 0; r < compared.size(); r++) {
            double[][] paired = paired(spec, dataset, compared.get(r), spec.reference(), metric);
            Stats.PairedTest t = Stats.pairedTTest(paired[0], paired[1]);
            double[] d = new double[paired[0].length];
            for (int i = 0; i < d.length; i++) {
                d[i] = paired[0][i] - paired[1][i];
            }
            mean[r] = t.meanDifference();
            half[r] = Stats.ci95(d);
            p[r] = t.p();
            pairs[r] = t.n();
        }
        double[] holm = Power.holm(p);
        List<Difference> out = new ArrayList<>();
        for (int r = 0; r < compared.size(); r++) {
            out.add(new Difference(compared.get(r), pairs[r], mean[r], mean[r] - half[r], mean[r] + half[r], p[r], holm[r]));
        }
        return out;
    }

    /**
     * @return the variants of {@link #differenceChart} top to bottom: the table's, less those that
     *     reuse the runs of a variant listed before them ({@code same_as}) and those without pairs,
     *     sorted by the mean difference, smallest first
     */
    List<Difference> plotted(String metric) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Difference> out = new ArrayList<>();
        for (Difference d : differences(metric)) {
            if (seen.add(spec.runVariant(d.variant())) && d.pairs() > 0) {
                out.add(d);
            }
        }
        out.sort(java.util.Comparator.comparingDouble(Difference::mean));
        return out;
    }

    /**
     * @return a dot-and-interval plot of each variant's mean paired difference to the reference
     *     with its 95 % CI, sorted, the dots of the Holm-significant ones filled
     */
    org.knowm.xchart.XYChart differenceChart(String metric) {
        List<Difference> rows = plotted(metric);
        String label = ExperimentReport.LABELS.get(metric);
        String direction = metric.equals("mae") ? "sentiment units; negative: lower MAE than the reference, better"
                : "fraction; positive: better than the reference";
        List<ExperimentCharts.Interval> intervals = rows.stream().map(d -> new ExperimentCharts.Interval(d.variant(),
                d.mean(), d.low(), d.high(), d.significant())).toList();
        int family = compared(spec).size();
        return ExperimentCharts.dotsAndIntervals("Δ " + label + " vs '" + spec.reference() + "' on " + dataset + " ("
                + spec.name() + "), paired over seeds, 95 % CI", "Δ " + label + " = variant − '"
                + spec.reference() + "' (" + direction + ")", intervals, new String[] {"95 % CI (t)",
                    "Holm-corrected p < 0.05 (over the " + family + " variants)", "not significant after Holm"});
    }

    /** @return the data of {@link #differenceChart}, row by row as plotted, top to bottom */
    TextTable differenceData(String metric) {
        TextTable t = new TextTable("Data of the figure", List.of("row", "variant", "metric", "reference", "pairs",
                "mean_difference", "ci95_low", "ci95_high", "p", "p_holm", "holm_significant"));
        List<Difference> rows = plotted(metric);
        for (int i = 0; i < rows.size(); i++) {
            Difference d = rows.get(i);
            t.add(List.of(Integer.toString(i + 1), d.variant(), metric, spec.reference(), Integer.toString(d.pairs()),
                    FigureData.number(d.mean()), FigureData.number(d.low()), FigureData.number(d.high()),
                    FigureData.number(d.p()), FigureData.number(d.pHolm()), Boolean.toString(d.significant())), null);
        }
        return t;
    }

    /** @return the variants the differences table compares with the reference, in grid order */
    private static List<String> compared(GridSpec spec) {
        List<String> out = new ArrayList<>();
        for (String v : spec.variants()) {
            if (!spec.runVariant(v).equals(spec.runVariant(spec.reference()))) {
                out.add(v);
            }
        }
        return out;
    }

    /** Means and standard deviations over seeds, per variant (rows) and metric (columns), and the table. */
    private record AblationStats(double[][] means, double[][] stds, TextTable table) {}

    /** The metrics drawn as figures (bars and differences). */
    static final List<String> FIGURE_METRICS = List.of("mae", "acc2_has0", "f1_has0");

    /**
     * Writes the ablation, validation, diagnostics and differences tables, and per metric of
     * {@link #FIGURE_METRICS} the bars and the differences figure (each with its data as CSV);
     * returns the files.
     */
    List<Path> write(Path tables, Path figures, String base) throws IOException {
        List<Path> written = new ArrayList<>();
        written.addAll(table().write(tables, base + "-ablation"));
        written.addAll(SelectionTable.of(store, spec, dataset).write(tables, base + "-validation"));
        DiagnosticsTables diagnostics = DiagnosticsTables.of(store, spec, dataset);
        if (diagnostics != null) {
            String title = spec.name() + " on " + dataset;
            written.addAll(diagnostics.gradients(title).write(tables, base + "-diagnostics-gradients"));
            written.addAll(diagnostics.separation(title).write(tables, base + "-diagnostics-separation"));
        }
        written.addAll(differences().write(tables, base + "-ablation-vs-" + Grid.slug(spec.reference())));
        for (String metric : FIGURE_METRICS) {
            written.addAll(FigureFiles.save(bars(metric), figures, base + "-ablation-" + metric));
            written.addAll(FigureFiles.save(differenceChart(metric), figures, base + "-ablation-vs-"
                    + Grid.slug(spec.reference()) + "-" + metric, differenceData(metric)));
        }
        return written;
    }

    /** @return per variant, each metric's mean ± std over seeds, the best mean of each column in bold */
    TextTable table() {
        return ablationStats(spec, dataset).table();
    }

    /** @return each variant's paired differences to the reference variant, with p-values */
    TextTable differences() {
        return differences(spec, dataset);
    }


    private AblationStats ablationStats(GridSpec spec, String dataset) {
        List<String> headers = new ArrayList<>(List.of("variant", "seeds"));
        SentimentMetrics.KEYS.forEach(k -> headers.add(ExperimentReport.LABELS.get(k)));
        TextTable table = new TextTable("Ablations, " + spec.name() + " on " + dataset
                + " (test metrics of the best-validation checkpoint, mean ± std over seeds)", headers);
        double[][] means = new double[spec.variants().size()][SentimentMetrics.KEYS.size()];
        double[][] stds = new double[spec.variants().size()][SentimentMetrics.KEYS.size()];
        int[] seeds = new int[spec.variants().size()];
        for (int v = 0; v < spec.variants().size(); v++) {
            for (int k = 0; k < SentimentMetrics.KEYS.size(); k++) {
                double[] x = values(spec, dataset, spec.variants().get(v), SentimentMetrics.KEYS.get(k));
                means[v][k] = Stats.mean(x);
                stds[v][k] = Stats.std(x);
                seeds[v] = x.length;
            }
        }
        for (int v = 0; v < spec.variants().size(); v++) {
            List<String> cells = new ArrayList<>(List.of(spec.variants().get(v), Integer.toString(seeds[v])));
            boolean[] bold = new boolean[headers.size()];
            for (int k = 0; k < SentimentMetrics.KEYS.size(); k++) {
                cells.add(ExperimentReport.meanStd(means[v][k], stds[v][k]));
                bold[k + 2] = isBest(means, v, k, SentimentMetrics.KEYS.get(k).equals("mae"));
            }
            table.add(cells, bold);
        }
        table.note("Bold: best mean of the column. Variants marked same as another reuse its runs: "
                + (spec.sameAs().isEmpty() ? "none" : spec.sameAs().toString()) + ".");
        int missing = 0;
        int planned = 0;
        List<String> fewer = new ArrayList<>();
        for (int v = 0; v < seeds.length; v++) {
            String name = spec.variants().get(v);
            planned += spec.seeds(name);
            missing += Math.max(0, spec.seeds(name) - seeds[v]);
            if (spec.seeds(name) < spec.seeds()) {
                fewer.add(name + ": " + spec.seeds(name));
            }
        }
        if (!fewer.isEmpty()) {
            table.note("Run with fewer seeds than the grid's " + spec.seeds() + " (too slow to be worth them all), "
                    + "the first of the grid's seeds: " + String.join(", ", fewer) + ".");
        }
        if (missing > 0) {
            // a grid still running, stopped, or with diverged runs: said, never silently averaged over less
            table.note("Incomplete: " + missing + " of " + planned + " variant-seed results are"
                    + " missing (not finished yet, or diverged); each row is over the seeds in its 'seeds' column.");
        }
        return new AblationStats(means, stds, table);
    }

    private TextTable differences(GridSpec spec, String dataset) {
        List<String> headers = new ArrayList<>(List.of("variant", "pairs"));
        SentimentMetrics.KEYS.forEach(k -> headers.add("Δ " + ExperimentReport.LABELS.get(k) + " [95% CI] (p)"));
        headers.addAll(List.of("MAE: p (Holm)", "MAE: detectable Δ", "MAE: |Δ| excluded above"));
        TextTable table = new TextTable("Differences to '" + spec.reference() + "', " + spec.name() + " on " + dataset,
                headers);
        List<List<String>> rows = new ArrayList<>();
        List<boolean[]> bolds = new ArrayList<>();
        List<double[]> maeDiffs = new ArrayList<>();
        List<Double> maeP = new ArrayList<>();
        for (String v : compared(spec)) {
            List<String> cells = new ArrayList<>(List.of(v, ""));
            boolean[] bold = new boolean[headers.size()];
            int pairs = 0;
            for (int k = 0; k < SentimentMetrics.KEYS.size(); k++) {
                double[][] paired = paired(spec, dataset, v, spec.reference(), SentimentMetrics.KEYS.get(k));
                Stats.PairedTest t = Stats.pairedTTest(paired[0], paired[1]);
                pairs = t.n();
                cells.add(Stats.pairedDifference(paired[0], paired[1]));
                bold[k + 2] = t.p() < 0.05;
                if (SentimentMetrics.KEYS.get(k).equals("mae")) {
                    double[] d = new double[paired[0].length];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = paired[0][i] - paired[1][i];
                    }
                    maeDiffs.add(d);
                    maeP.add(t.p());
                }
            }
            cells.set(1, Integer.toString(pairs));
            rows.add(cells);
            bolds.add(bold);
        }
        double[] holm = Power.holm(maeP.stream().mapToDouble(Double::doubleValue).toArray());
        for (int r = 0; r < rows.size(); r++) {
            double[] d = maeDiffs.get(r);
            rows.get(r).add(Double.isNaN(holm[r]) ? "" : String.format(java.util.Locale.ROOT, "%.3f", holm[r]));
            double mde = Power.minimumDetectable(Stats.std(d), d.length);
            rows.get(r).add(Double.isNaN(mde) ? "" : String.format(java.util.Locale.ROOT, "%.3f", mde));
            double excluded = Power.excludedAbove(d);
            rows.get(r).add(Double.isNaN(excluded) ? "" : String.format(java.util.Locale.ROOT, "%.3f", excluded));
            table.add(rows.get(r), bolds.get(r));
        }
        table.note("Δ = variant − reference, mean over seeds, with the 95 % confidence interval of the mean paired"
                + " difference (t distribution); p: " + Stats.PairedTest.name()
                + " (pairs matched by seed; 'pairs' is their number). Bold: p < 0.05.");
        table.note("MAE: p (Holm): the MAE p corrected over the " + rows.size() + " variants of the table; detectable Δ:"
                + " the smallest MAE difference these pairs detect (two-sided, alpha 0.05, power 0.8, at the observed"
                + " SD of the differences); |Δ| excluded above: the larger end of the 95 % CI in absolute value, the"
                + " largest difference the data leave possible.");
        return table;
    }

    /** @return values of a metric for two variants over the seeds both have, in seed order */
    private double[][] paired(GridSpec spec, String dataset, String a, String b, String metric) {
        SortedMap<Long, Double> va = store.values(spec.name(), dataset, spec.runVariant(a), metric);
        SortedMap<Long, Double> vb = store.values(spec.name(), dataset, spec.runVariant(b), metric);
        List<Long> common = new ArrayList<>(va.keySet());
        common.retainAll(vb.keySet());
        double[][] out = new double[2][common.size()];
        for (int i = 0; i < common.size(); i++) {
            out[0][i] = va.get(common.get(i));
            out[1][i] = vb.get(common.get(i));
        }
        return out;
    }

    private double[] values(GridSpec spec, String dataset, String variant, String metric) {
        return store.values(spec.name(), dataset, spec.runVariant(variant), metric).values().stream()
                .mapToDouble(Double::doubleValue).toArray();
    }

    private static boolean isBest(double[][] means, int v, int k, boolean lower) {
        if (Double.isNaN(means[v][k])) {
            return false;
        }
        for (double[] row : means) {
            if (!Double.isNaN(row[k]) && (lower ? row[k] < means[v][k] : row[k] > means[v][k])) {
                return false;
            }
        }
        return true;
    }

}
