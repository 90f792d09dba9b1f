package org.mecam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.protocol.RepresentationProbe;
import org.mecam.experiment.run.ResultStore;
import org.mecam.experiment.run.RunFiles;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.report.FigureFiles;
import org.mecam.report.Figures;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;
import org.mecam.train.EpochStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.tablesaw.api.Table;

/**
 * Tables and figures of everything under a results directory: for each grid and dataset the
 * ablation table (mean +- std over seeds, best in bold) and its paired comparison with the
 * reference variant, the robustness table (areas under the metric-vs-p curves, effective
 * robustness against the reference method) and curves, the metrics by negative information,
 * and the figures (training curves, ablation bars, the paired differences to the reference as dots
 * with 95 % CIs, robustness curves with bands, projections of the representations before and after
 * the contrastive filter, attention heat maps, predicted vs true, confusion matrix). Tables go to
 * {@code <root>/tables}, figures to {@code <root>/figures}, each figure as PNG and SVG with the data
 * it plots as CSV beside it.
 *
 * <p>{@link #write(Path)} writes them all; {@link #of(Path)} gives the same tables and charts as
 * objects (for notebooks), per grid and dataset.
 */
public final class ExperimentReport {

    private static final Logger LOG = LoggerFactory.getLogger(ExperimentReport.class);
    static final Map<String, String> LABELS = Map.of("mae", "MAE", "corr", "Corr", "acc7", "Acc-7", "acc5", "Acc-5",
            "acc2_has0", "Acc-2 (has0)", "f1_has0", "F1 (has0)", "acc2_non0", "Acc-2 (non0)", "f1_non0", "F1 (non0)");
    static final int PROBE_SAMPLES = 600;

    private final ResultStore store;
    private final Path tables;
    private final Path figures;
    private final List<Path> written = new ArrayList<>();

    private final Map<String, GridSpec> specs = new LinkedHashMap<>();

    private final Path root;

    private ExperimentReport(Path root) {
        this.root = root;
        this.store = ResultStore.scan(root);
        this.tables = root.resolve("tables");
        this.figures = root.resolve("figures");
    }

    /**
     * Writes every table and figure of the runs finished under {@code root} when the report's lock
     * is taken; returns the files written.
     */
    public static List<Path> write(Path root) throws IOException {
        of(root); // says so when there is no such directory
        try (ReportLock ignored = ReportLock.acquire(root)) {
            return new ExperimentReport(root).writeLocked();
        }
    }

    /** @return the report of the finished runs under {@code root}, nothing written yet */
    public static ExperimentReport of(Path root) {
        if (!Files.isDirectory(root)) {
            throw new org.mecam.config.ConfigException("report: no results directory " + root.toAbsolutePath());
        }
        return new ExperimentReport(root);
    }

    /** Writes every table and figure under the root's {@code tables/} and {@code figures/}; returns the files. */
    public List<Path> writeAll() throws IOException {
        try (ReportLock ignored = ReportLock.acquire(root)) {
            return writeLocked();
        }
    }

    private List<Path> writeLocked() throws IOException {
        written.clear();
        all();
        return List.copyOf(written);
    }

    /** @return the runs the report reads */
    public ResultStore store() {
        return store;
    }

    /** @return the grids with finished runs, in the order first found */
    public List<String> grids() {
        return List.copyOf(new LinkedHashSet<>(store.metrics().stringColumn("grid").asList()));
    }

    /** @return the datasets of a grid with finished runs */
    public List<String> datasets(String grid) {
        return List.copyOf(datasetsOf(grid));
    }

    /** @return the ablation table: per variant, each metric's mean ± std over seeds, best mean in bold */
    public TextTable ablationTable(String grid, String dataset) {
        return new AblationReport(store, spec(grid), dataset).table();
    }

    /** @return each variant's paired differences to the reference variant, with p-values */
    public TextTable ablationDifferences(String grid, String dataset) {
        return new AblationReport(store, spec(grid), dataset).differences();
    }

    /**
     * @param metric a key of {@link SentimentMetrics#KEYS}
     * @return bars of the metric's mean per variant with ± std error bars
     */
    public org.knowm.xchart.CategoryChart ablationBars(String grid, String dataset, String metric) {
        return new AblationReport(store, spec(grid), dataset).bars(metric);
    }

    /**
     * @param metric a key of {@link SentimentMetrics#KEYS}
     * @return each variant's mean paired difference to the reference variant in the metric with its
     *     95 % CI (the numbers of {@link #ablationDifferences}), sorted, a filled dot where the
     *     difference is significant after the Holm correction over the table's variants, a hollow
     *     one where not
     */
    public XYChart ablationDifferenceChart(String grid, String dataset, String metric) {
        return new AblationReport(store, spec(grid), dataset).differenceChart(metric);
    }

    /** @return the data of {@link #ablationDifferenceChart}, as written beside the figure (CSV) */
    public TextTable ablationDifferenceData(String grid, String dataset, String metric) {
        return new AblationReport(store, spec(grid), dataset).differenceData(metric);
    }

    /** @return the robustness table (AUC and effective robustness per method and perturbation), or null without sweeps */
    public TextTable robustnessTable(String grid, String dataset) {
        RobustnessReport r = RobustnessReport.of(store, spec(grid), dataset);
        return r == null ? null : r.table();
    }

    /** @return one panel per perturbation: the metric against the level p per method, mean ± std bands; empty without sweeps */
    public List<XYChart> robustnessCurves(String grid, String dataset, String metric) {
        RobustnessReport r = RobustnessReport.of(store, spec(grid), dataset);
        return r == null ? List.of() : r.panels(metric);
    }

    /** @return test metrics on clean samples and on samples with each kind of negative information, or null without flags */
    public TextTable negativeInfoTable(String grid, String dataset) {
        return NegativeInfoTable.of(store, spec(grid), dataset);
    }

    /**
     * @return the headroom between the lower bound and the oracle and each variant's share of it,
     *     by test subset (docs/METHOD.md, "Bounds"), or null for a grid without an oracle variant
     */
    public TextTable boundsTable(String grid, String dataset) throws IOException {
        BoundsReport b = BoundsReport.of(store, spec(grid), dataset);
        return b == null ? null : b.table();
    }

    /** @return what adding each modality gains on a grid whose variants differ only in their modalities, or null */
    public TextTable complementarityTable(String grid, String dataset) {
        return ComplementarityTable.of(store, spec(grid), dataset);
    }

    /** @return per variant the SD of its paired differences to the lower bound and the seeds a target effect needs, or null */
    public TextTable powerTable(String grid, String dataset) throws IOException {
        BoundsReport b = BoundsReport.of(store, spec(grid), dataset);
        return b == null ? null : b.power();
    }

    /**
     * @return the bounds figures: each variant's gain per test subset with its 95 % CI, and the
     *     smallest detectable difference against seeds; empty for a grid without an oracle variant
     */
    public List<org.knowm.xchart.internal.chartpart.Chart<?, ?>> boundsCharts(String grid, String dataset) throws IOException {
        BoundsReport b = BoundsReport.of(store, spec(grid), dataset);
        return b == null ? List.of() : List.of(b.gainsChart(), b.powerChart());
    }

    /** @return the training-curve panels of the reference variant, averaged over its seeds; empty without runs */
    public List<XYChart> trainingCurves(String grid, String dataset) throws IOException {
        GridSpec spec = spec(grid);
        List<List<EpochStats>> epochs = new ArrayList<>();
        for (ResultStore.Run r : referenceRuns(spec, dataset)) {
            if (Files.isRegularFile(r.dir().resolve(RunFiles.EPOCHS))) {
                epochs.add(RunFiles.epochs(r.dir()));
            }
        }
        if (epochs.isEmpty()) {
            return List.of();
        }
        List<XYChart> panels = Figures.trainingCurvePanels(EpochStats.mean(epochs));
        panels.forEach(p -> p.setTitle(p.getTitle() + " (mean of " + epochs.size() + " seeds)"));
        return panels;
    }

    /**
     * @return the sweep table of a grid whose datasets differ in one numeric setting (metrics with
     *     95 % CIs and paired differences against that setting), or null for other grids
     */
    public TextTable sweepTable(String grid) {
        SweepReport r = SweepReport.of(store, spec(grid));
        return r == null ? null : r.overall();
    }

    /** @return the sweep's metrics on clean vs each kind of negative test sample, or null */
    public TextTable sweepNegativeInfoTable(String grid) {
        SweepReport r = SweepReport.of(store, spec(grid));
        return r == null ? null : r.subsets();
    }

    /** @return MAE and Acc-2 against the swept setting with 95 % CI bands (empty for other grids) */
    public List<XYChart> sweepCurves(String grid) {
        SweepReport r = SweepReport.of(store, spec(grid));
        return r == null ? List.of() : r.panels();
    }

    /**
     * @return the "which loss moves which encoder" panels of a variant, averaged over its seeds'
     *     epochs.csv (see {@link Figures#lossEffects})
     */
    public List<XYChart> lossEffects(String grid, String dataset, String variant) throws IOException {
        GridSpec spec = spec(grid);
        List<List<EpochStats>> epochs = new ArrayList<>();
        for (ResultStore.Run r : store.runs()) {
            if (r.grid().equals(grid) && r.dataset().equals(dataset) && r.variant().equals(spec.runVariant(variant))
                    && Files.isRegularFile(r.dir().resolve(RunFiles.EPOCHS))) {
                epochs.add(RunFiles.epochs(r.dir()));
            }
        }
        List<XYChart> panels = Figures.lossEffectPanels(EpochStats.mean(epochs));
        panels.forEach(p -> p.setTitle(p.getTitle() + " (" + variant + ", " + epochs.size() + " seeds)"));
        return panels;
    }

    private GridSpec spec(String grid) {
        if (!grids().contains(grid)) {
            throw new IllegalArgumentException("no finished runs of grid '" + grid + "' under " + store.root()
                    + " (grids there: " + grids() + ")");
        }
        return specs.computeIfAbsent(grid, g -> {
            try {
                return GridSpec.read(store.root(), g, store);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private List<ResultStore.Run> referenceRuns(GridSpec spec, String dataset) {
        return store.runs().stream().filter(r -> r.grid().equals(spec.name()) && r.dataset().equals(dataset)
                && r.variant().equals(spec.runVariant(spec.reference()))).toList();
    }

    private void all() throws IOException {
        Files.createDirectories(tables);
        written.add(csv(store.metrics(), "all-metrics-long"));
        if (store.robustness().rowCount() > 0) {
            written.add(csv(store.robustness(), "all-robustness-long"));
        }
        if (store.subsets().rowCount() > 0) {
            written.add(csv(store.subsets(), "all-negative-info-long"));
        }
        for (String grid : grids()) {
            GridSpec spec = spec(grid);
            for (String dataset : datasetsOf(grid)) {
                String base = Grid.slug(grid) + "-" + Grid.slug(dataset);
                written.addAll(new AblationReport(store, spec, dataset).write(tables, figures, base));
                RobustnessReport rob = RobustnessReport.of(store, spec, dataset);
                if (rob != null) {
                    written.addAll(rob.write(tables, figures, base));
                }
                TextTable negativeInfo = NegativeInfoTable.of(store, spec, dataset);
                if (negativeInfo != null) {
                    written.addAll(negativeInfo.write(tables, base + "-negative-info"));
                }
                TextTable complementarity = ComplementarityTable.of(store, spec, dataset);
                if (complementarity != null) {
                    written.addAll(complementarity.write(tables, base + "-complementarity"));
                }
                BoundsReport bounds = BoundsReport.of(store, spec, dataset);
                if (bounds != null) {
                    written.addAll(bounds.write(tables, figures, base));
                }
                runFigures(spec, dataset, base);
            }
            SweepReport sweep = SweepReport.of(store, spec);
            if (sweep != null) {
                written.addAll(sweep.write(tables, figures));
            }
        }
        LOG.info("report: {} files under {} and {}", written.size(), tables, figures);
    }

    private Path csv(Table t, String name) throws IOException {
        Path file = tables.resolve(name + ".csv");
        t.write().csv(file.toString());
        return file;
    }

    private Set<String> datasetsOf(String grid) {
        Set<String> out = new LinkedHashSet<>();
        Table m = store.metrics();
        for (int i = 0; i < m.rowCount(); i++) {
            if (m.stringColumn("grid").get(i).equals(grid)) {
                out.add(m.stringColumn("dataset").get(i));
            }
        }
        return out;
    }

    static String meanStd(double[] x) {
        return meanStd(Stats.mean(x), Stats.std(x));
    }

    static String meanStd(double mean, double std) {
        if (Double.isNaN(mean)) {
            return "";
        }
        return Double.isNaN(std) ? String.format(Locale.ROOT, "%.3f", mean)
                : String.format(Locale.ROOT, "%.3f ± %.3f", mean, std);
    }


    // ---- figures of the reference variant's runs

    private void runFigures(GridSpec spec, String dataset, String base) throws IOException {
        List<ResultStore.Run> runs = referenceRuns(spec, dataset);
        if (runs.isEmpty()) {
            return;
        }
        List<XYChart> curves = trainingCurves(spec.name(), dataset);
        if (!curves.isEmpty()) {
            written.addAll(FigureFiles.save(curves, 3, figures, base + "-training-curves"));
        }
        ResultStore.Run first = runs.get(0);
        if (!Files.isRegularFile(first.dir().resolve(RunFiles.PREDICTIONS))) {
            return;
        }
        RunFiles.Predictions predictions = RunFiles.predictions(first.dir());
        float[] p = predictions.predictions();
        float[] y = predictions.labels();
        boolean[] affected = predictions.affected();
        written.addAll(FigureFiles.save(Figures.predictionScatterChart(p, y, affected), figures, base + "-predictions-vs-truth"));
        written.addAll(FigureFiles.save(Figures.confusionChart(p, y), figures, base + "-confusion-7class"));
        if (!Files.isRegularFile(first.dir().resolve(TrainedRun.CHECKPOINT))) {
            return;
        }
        RepresentationProbe probe = RepresentationProbe.of(first.dir(), PROBE_SAMPLES);
        if (probe != null) {
            written.addAll(ProbeFigures.write(probe, spec.reference() + ", seed " + first.seed(), figures, base));
        }
    }
}
