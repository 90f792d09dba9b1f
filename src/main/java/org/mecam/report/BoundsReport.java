package org.mecam.report;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.mecam.data.NegativeInfo;
import org.mecam.experiment.run.ResultStore;
import org.mecam.experiment.run.RunFiles;

/**
 * Headroom and the share of it each variant captures (docs/METHOD.md, "Bounds"). In a grid with an
 * oracle variant (its runs have {@code maskNegative} true) and its twin without the mask (the same
 * configuration otherwise: the lower bound, no filter), per seed and test subset: headroom = MAE of
 * the lower bound − MAE of the oracle, a variant's gain = MAE of the lower bound − its MAE, and
 * its share of the headroom = mean gain / mean headroom. Subsets: all test samples, clean ones,
 * those with detectable and with undetectable negative information, and those whose negative
 * information hits text, audio or vision (from each run's predictions.csv; the runs of one seed
 * share one test draw when the grid sets {@code seed_draws_data}).
 *
 * <p>Each gain comes with its 95 % CI (t), the paired t-test's p, Holm-corrected over the variants
 * of its subset, the smallest gain the seeds could detect (alpha 0.05, power 0.8, at the observed
 * SD) and the largest gain its CI leaves possible; each share with a 95 % percentile bootstrap CI
 * over seeds (2000 resamples, fixed seed, so the table is reproducible byte for byte).
 */
final class BoundsReport {

    /** A test subset: its name and which samples (kind, modality) it holds. */
    record Subset(String name, BiPredicate<NegativeInfo, String> holds) {}

    static final List<Subset> SUBSETS = List.of(
            new Subset("all", (k, m) -> true),
            new Subset("clean", (k, m) -> k == NegativeInfo.NONE),
            new Subset("detectable", (k, m) -> "detectable".equals(k.detectability())),
            new Subset("undetectable", (k, m) -> "undetectable".equals(k.detectability())),
            new Subset("text hit", (k, m) -> k != NegativeInfo.NONE && m.equals("text")),
            new Subset("audio hit", (k, m) -> k != NegativeInfo.NONE && m.equals("audio")),
            new Subset("vision hit", (k, m) -> k != NegativeInfo.NONE && m.equals("vision")));

    static final int BOOTSTRAP = 2000;

    private final GridSpec spec;
    private final String dataset;
    private final String lower;
    private final String upper;
    /** variant (as named in the grid) -> subset -> seed -> MAE. */
    private final Map<String, Map<String, TreeMap<Long, Double>>> mae = new LinkedHashMap<>();
    /** subset -> test samples in it, summed over the lower bound's seeds. */
    private final Map<String, Integer> sizes = new LinkedHashMap<>();
    private int lowerSeeds;
    /** Runs of the dataset, and those whose selected epoch is one of the last three of their cap. */
    private int runs;
    private int lateRuns;
    private List<Row> rows;

    private BoundsReport(GridSpec spec, String dataset, String lower, String upper) {
        this.spec = spec;
        this.dataset = dataset;
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * @return the report of a grid on a dataset, or null when it has no oracle and twin lower bound
     *     or fewer than two seeds of them
     */
    static BoundsReport of(ResultStore store, GridSpec spec, String dataset) throws IOException {
        Map<String, JsonObject> configs = new LinkedHashMap<>();
        for (ResultStore.Run r : store.runs()) {
            if (r.grid().equals(spec.name()) && r.dataset().equals(dataset)) {
                configs.putIfAbsent(r.variant(), r.config());
            }
        }
        String upper = null;
        String lower = null;
        for (Map.Entry<String, JsonObject> o : configs.entrySet()) {
            if (!o.getValue().has("maskNegative") || !o.getValue().get("maskNegative").getAsBoolean()) {
                continue;
            }
            JsonObject twin = comparable(o.getValue());
            twin.addProperty("maskNegative", false);
            for (Map.Entry<String, JsonObject> l : configs.entrySet()) {
                if (comparable(l.getValue()).equals(twin)) {
                    upper = o.getKey();
                    lower = l.getKey();
                }
            }
        }
        if (upper == null) {
            return null;
        }
        BoundsReport b = new BoundsReport(spec, dataset, name(spec, lower), name(spec, upper));
        b.read(store);
        return b.rows().isEmpty() ? null : b; // fewer than two seeds: nothing to pair
    }

    /** @return the config without what differs between the runs of one variant (seeds, paths, provenance) */
    private static JsonObject comparable(JsonObject config) {
        JsonObject c = config.deepCopy();
        for (String k : List.of("seed", "dataSeed", "device", "threads", "results", "name", "provenance")) {
            c.remove(k);
        }
        return c;
    }

    /** @return the grid's name of a run variant (the first name a same_as alias does not hide) */
    private static String name(GridSpec spec, String runVariant) {
        for (String v : spec.variants()) {
            if (spec.runVariant(v).equals(runVariant)) {
                return v;
            }
        }
        return runVariant;
    }

    private void read(ResultStore store) throws IOException {
        for (String v : spec.variants()) {
            if (!spec.runVariant(v).equals(v)) {
                continue; // an alias: the same runs as its twin
            }
            Map<String, TreeMap<Long, Double>> bySubset = new LinkedHashMap<>();
            SUBSETS.forEach(s -> bySubset.put(s.name(), new TreeMap<>()));
            mae.put(v, bySubset);
        }
        for (ResultStore.Run r : store.runs()) {
            if (!r.grid().equals(spec.name()) || !r.dataset().equals(dataset) || !mae.containsKey(r.variant())) {
                continue;
            }
            runs++;
            JsonObject metrics = RunFiles.metrics(r.dir());
            if (metrics.has("best_epoch") && r.config().has("epochs")
                    && metrics.get("best_epoch").getAsInt() > r.config().get("epochs").getAsInt() - 3) {
                lateRuns++;
            }
            RunFiles.Predictions p = RunFiles.predictions(r.dir());
            if (p == null || p.negative() == null || p.negativeModality() == null) {
                continue;
            }
            for (Subset s : SUBSETS) {
                double sum = 0;
                int n = 0;
                for (int i = 0; i < p.predictions().length; i++) {
                    if (s.holds().test(NegativeInfo.ofKey(p.negative()[i]), p.negativeModality()[i])) {
                        sum += Math.abs((double) p.predictions()[i] - p.labels()[i]);
                        n++;
                    }
                }
                if (n > 0) {
                    mae.get(r.variant()).get(s.name()).put(r.seed(), sum / n);
                    if (r.variant().equals(spec.runVariant(lower))) {
                        sizes.merge(s.name(), n, Integer::sum);
                    }
                }
            }
            if (r.variant().equals(spec.runVariant(lower))) {
                lowerSeeds++;
            }
        }
    }

    /** One row: a variant's gain over the lower bound on a subset. */
    record Row(String subset, double meanSamples, String variant, double[] mae, double[] gain, double gainMean,
            double gainCi, double p, double pHolm, double share, double shareLow, double shareHigh, double detectable,
            double excludedAbove) {}

    /**
     * @return the rows, subset by subset: the oracle first (its gain is the headroom), then the
     *     other variants (computed once: the tables and figures all read them)
     */
    List<Row> rows() {
        if (rows == null) {
            rows = List.copyOf(computeRows());
        }
        return rows;
    }

    private List<Row> computeRows() {
        List<Row> out = new ArrayList<>();
        for (Subset s : SUBSETS) {
            TreeMap<Long, Double> low = mae.get(spec.runVariant(lower)).get(s.name());
            TreeMap<Long, Double> up = mae.get(spec.runVariant(upper)).get(s.name());
            if (low.size() < 2) {
                continue;
            }
            List<String> variants = new ArrayList<>(List.of(upper));
            for (String v : mae.keySet()) {
                if (!v.equals(spec.runVariant(lower)) && !v.equals(spec.runVariant(upper))) {
                    variants.add(v);
                }
            }
            List<Row> block = new ArrayList<>();
            for (String v : variants) {
                TreeMap<Long, Double> mine = mae.get(spec.runVariant(v)).get(s.name());
                List<Long> seeds = new ArrayList<>(low.keySet());
                seeds.retainAll(mine.keySet());
                seeds.retainAll(up.keySet());
                if (seeds.size() < 2) {
                    continue;
                }
                double[] m = new double[seeds.size()];
                double[] l = new double[seeds.size()];
                double[] g = new double[seeds.size()];
                double[] h = new double[seeds.size()];
                for (int k = 0; k < m.length; k++) {
                    m[k] = mine.get(seeds.get(k));
                    l[k] = low.get(seeds.get(k));
                    g[k] = l[k] - m[k];
                    h[k] = low.get(seeds.get(k)) - up.get(seeds.get(k));
                }
                double[] share = shareCi(g, h);
                double gm = Stats.mean(g);
                block.add(new Row(s.name(), lowerSeeds == 0 ? 0 : sizes.getOrDefault(s.name(), 0) / (double) lowerSeeds, v,
                        m, g, gm, Stats.ci95(g), Stats.pairedTTest(l, m).p(), Double.NaN,
                        Stats.mean(g) / Stats.mean(h), share[0], share[1],
                        Power.minimumDetectable(Stats.std(g), g.length), Power.excludedAbove(g)));
            }
            double[] p = block.stream().mapToDouble(Row::p).toArray();
            double[] holm = Power.holm(p);
            for (int k = 0; k < block.size(); k++) {
                Row r = block.get(k);
                out.add(new Row(r.subset(), r.meanSamples(), r.variant(), r.mae(), r.gain(), r.gainMean(), r.gainCi(), r.p(),
                        holm[k], r.share(), r.shareLow(), r.shareHigh(), r.detectable(), r.excludedAbove()));
            }
        }
        return out;
    }

    /** @return the 2.5 % and 97.5 % percentiles of mean(gain) / mean(headroom) over seeds resampled with replacement */
    static double[] shareCi(double[] gain, double[] headroom) {
        SplittableRandom rng = new SplittableRandom(20261204L);
        double[] shares = new double[BOOTSTRAP];
        int n = gain.length;
        for (int b = 0; b < BOOTSTRAP; b++) {
            double g = 0;
            double h = 0;
            for (int k = 0; k < n; k++) {
                int i = rng.nextInt(n);
                g += gain[i];
                h += headroom[i];
            }
            shares[b] = g / h;
        }
        java.util.Arrays.sort(shares);
        return new double[] {shares[(int) Math.floor(0.025 * (BOOTSTRAP - 1))], shares[(int) Math.ceil(0.975 * (BOOTSTRAP - 1))]};
    }

    /** @return the table: one row per subset and variant */
    TextTable table() {
        TextTable t = new TextTable("Bounds, " + spec.name() + " on " + dataset + ": MAE gain over the lower bound ('"
                + lower + "') and share of the headroom to the oracle ('" + upper + "')", List.of("test subset",
                "samples", "variant", "MAE", "gain [95 % CI]", "p", "p (Holm)", "share of headroom [95 % CI]",
                "detectable gain", "gain excluded above"));
        for (Row r : rows()) {
            boolean oracle = r.variant().equals(upper);
            t.add(List.of(r.subset(), f("%.0f", r.meanSamples()), oracle ? r.variant() + " = headroom" : r.variant(),
                    ExperimentReport.meanStd(r.mae()),
                    f("%+.3f [%+.3f, %+.3f]", r.gainMean(), r.gainMean() - r.gainCi(), r.gainMean() + r.gainCi()),
                    f("%.3f", r.p()), f("%.3f", r.pHolm()),
                    oracle ? "100 %" : f("%.0f %% [%.0f, %.0f]", 100 * r.share(), 100 * r.shareLow(), 100 * r.shareHigh()),
                    f("%.3f", r.detectable()), f("%.3f", r.excludedAbove())), null);
        }
        t.note("gain = MAE of '" + lower + "' − MAE of the variant, per seed (positive: better than the lower bound);"
                + " the oracle's gain is the headroom. samples: test samples in the subset per seed (mean).");
        t.note("p: " + Stats.PairedTest.name() + " of the gain; p (Holm): corrected over the variants of the subset."
                + " detectable gain: the smallest gain the seeds could detect (alpha 0.05, power 0.8, observed SD);"
                + " gain excluded above: the larger end of the gain's 95 % CI in absolute value.");
        t.note("share of headroom: mean gain / mean headroom, 95 % percentile bootstrap over seeds (" + BOOTSTRAP
                + " resamples); unstable where the headroom's CI reaches 0.");
        return t;
    }

    /** The smallest effect worth detecting: 0.02 MAE, or a quarter of the headroom where that is larger. */
    static final double MIN_EFFECT = 0.02;
    /** The seeds the power chart spans. */
    static final int MAX_SEEDS = 40;

    /** @return max({@value #MIN_EFFECT}, headroom / 4) on all test samples, the effect the design must detect */
    double targetEffect() {
        return rows().stream().filter(r -> r.subset().equals("all") && r.variant().equals(upper)).findFirst()
                .map(r -> Math.max(MIN_EFFECT, r.gainMean() / 4)).orElse(MIN_EFFECT);
    }

    /**
     * @return per variant, on all test samples: seeds, SD of its paired differences to the lower
     *     bound, the smallest difference these seeds detect, and the seeds needed for the target effect
     */
    TextTable power() {
        double target = targetEffect();
        TextTable t = new TextTable("Power, " + spec.name() + " on " + dataset + ": paired MAE differences to '" + lower
                + "' on all test samples", List.of("variant", "seeds", "SD of differences", "detectable at these seeds",
                "target effect", "seeds needed for it", "equivalence within ±target (TOST p)"));
        for (Row r : rows()) {
            if (!r.subset().equals("all")) {
                continue;
            }
            double sd = Stats.std(r.gain());
            t.add(List.of(r.variant(), Integer.toString(r.gain().length), f("%.4f", sd), f("%.3f", r.detectable()),
                    f("%.3f", target), sd > 0 ? Integer.toString(Power.pairsNeeded(sd, target)) : "",
                    f("%.3f", Power.tost(r.gain(), target))), null);
        }
        t.note("target effect: max(" + MIN_EFFECT + ", headroom / 4), the headroom being the oracle's gain. Seeds needed:"
                + " the fewest with which a two-sided paired t-test (alpha 0.05) detects the target with power 0.8 at the"
                + " observed SD. TOST: two one-sided t-tests that the mean difference lies within ±target; below 0.05"
                + " it does, which bounds a null.");
        t.note(String.format(Locale.ROOT, "Early stopping: %d of %d runs (%.0f %%) selected one of the last three epochs"
                + " of their cap.", lateRuns, runs, runs == 0 ? 0.0 : 100.0 * lateRuns / runs));
        return t;
    }

    /** @return the smallest detectable difference against the number of seeds, per variant, at its observed SD */
    XYChart powerChart() {
        XYChart c = new XYChartBuilder().width(Figures.PANEL_WIDTH).height(Figures.PANEL_HEIGHT)
                .title("Detectable difference vs seeds (" + dataset + ")").xAxisTitle("seeds")
                .yAxisTitle("smallest detectable MAE difference").build();
        Figures.style(c);
        double[] x = new double[MAX_SEEDS - 1];
        for (int n = 2; n <= MAX_SEEDS; n++) {
            x[n - 2] = n;
        }
        for (Row r : rows()) {
            if (!r.subset().equals("all") || r.variant().equals(upper)) {
                continue;
            }
            double sd = Stats.std(r.gain());
            double[] y = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                y[k] = Math.min(0.2, Power.minimumDetectable(sd, (int) x[k]));
            }
            c.addSeries(r.variant() + " (SD " + f("%.3f", sd) + ")", x, y).setMarker(SeriesMarkers.NONE);
        }
        double target = targetEffect();
        org.knowm.xchart.XYSeries line = c.addSeries("target " + f("%.3f", target), new double[] {2, MAX_SEEDS},
                new double[] {target, target});
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(java.awt.Color.GRAY);
        return c;
    }

    /** @return each variant's gain over the lower bound per test subset with its 95 % CI (the oracle's: the headroom) */
    CategoryChart gainsChart() {
        CategoryChart c = new CategoryChartBuilder().width(1250).height(Figures.PANEL_HEIGHT + 40)
                .title("Gain over '" + lower + "' by test subset, 95 % CI (" + dataset + ")").xAxisTitle("test subset")
                .yAxisTitle("MAE gain (positive: better)").build();
        c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        Map<String, List<Row>> byVariant = new LinkedHashMap<>();
        for (Row r : rows()) {
            byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> e : byVariant.entrySet()) {
            List<String> x = e.getValue().stream().map(Row::subset).toList();
            List<Double> y = e.getValue().stream().map(Row::gainMean).toList();
            List<Double> err = e.getValue().stream().map(Row::gainCi).toList();
            c.addSeries(e.getKey().equals(upper) ? "headroom (" + upper + ")" : e.getKey(), x, y, err);
        }
        return c;
    }

    /**
     * Writes the tables {@code <base>-bounds} and {@code <base>-power} (.md/.csv/.tex) and the
     * figures {@code <base>-bounds-gains} and {@code <base>-power} (.png/.svg, with their data as .csv).
     */
    List<Path> write(Path tables, Path figures, String base) throws IOException {
        List<Path> out = new ArrayList<>(table().write(tables, base + "-bounds"));
        out.addAll(power().write(tables, base + "-power"));
        out.addAll(FigureFiles.save(gainsChart(), figures, base + "-bounds-gains"));
        out.addAll(FigureFiles.save(powerChart(), figures, base + "-power"));
        return out;
    }

    private static String f(String format, Object... args) {
        for (Object a : args) {
            if (a instanceof Double && Double.isNaN((Double) a)) {
                return "";
            }
        }
        return String.format(Locale.ROOT, format, args);
    }
}
