package org.mecam.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.mecam.config.Modality;
import org.mecam.train.EpochDiagnostics;
import org.mecam.train.EpochStats;

/** Figures of single runs, rendered with XChart. */
public final class Figures {

    static final int PANEL_WIDTH = 520;
    static final int PANEL_HEIGHT = 360;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Figures() {}

    /** One line of a panel: a name and how to read it from an epoch's record. */
    private record Line(String name, ToDoubleFunction<EpochStats> value) {}

    /**
     * The training curves of each loss: task and validation MAE, contrastive, lld of both
     * stages, entropy, gradient norm and learning rate per epoch, as a 3x2 grid, written as
     * {@code png} with an SVG and the plotted data (CSV) next to it.
     */
    public static void trainingCurves(List<EpochStats> epochs, Path png) throws IOException {
        FigureFiles.save(trainingCurvePanels(epochs), 3, png.toAbsolutePath().getParent(), stem(png));
    }

    /** @return the six panels of {@link #trainingCurves} */
    public static List<XYChart> trainingCurvePanels(List<EpochStats> epochs) {
        List<XYChart> panels = new ArrayList<>();
        panels.add(panel(epochs, "Task loss and validation MAE", "L1 / MAE",
                new Line("train L1 (stage 1)", e -> e.term("task")), new Line("valid MAE", EpochStats::validMae),
                new Line("test MAE (leaky)", EpochStats::testMae)));
        panels.add(panel(epochs, "Contrastive loss (nce)", "k (L_t + L_a + L_v)",
                new Line("nce", e -> e.term("contrastive"))));
        panels.add(panel(epochs, "MMILB log-likelihood (lld)", "lld (nats)",
                new Line("stage 0", e -> e.term("stage0_lld")), new Line("stage 1", e -> e.term("lld"))));
        panels.add(panel(epochs, "Entropy term H", "H (nats)", new Line("H", e -> e.term("entropy"))));
        panels.add(panel(epochs, "Gradient norm before clipping", "global L2 norm",
                new Line("stage 1 mean", EpochStats::gradNorm)));
        panels.add(panel(epochs, "Learning rate (main parameters)", "learning rate",
                new Line("lr", EpochStats::lrMain)));
        return panels;
    }

    /**
     * "Which loss moves which encoder": for each encoder (text, audio, vision) the gradient norm
     * each weighted loss term puts on it per epoch (log scale), then the class separation of the
     * filter's projections z and of the encoder vectors h on the validation split, clean anchors
     * against anchors whose negative information hits that modality; written as {@code png} with
     * an SVG and the plotted data (CSV) next to it.
     */
    public static void lossEffects(List<EpochStats> epochs, Path png) throws IOException {
        FigureFiles.save(lossEffectPanels(epochs), 3, png.toAbsolutePath().getParent(), stem(png));
    }

    /** @return the panels of {@link #lossEffects} */
    public static List<XYChart> lossEffectPanels(List<EpochStats> epochs) {
        List<XYChart> panels = new ArrayList<>();
        for (Modality m : Modality.values()) {
            List<Line> lines = new ArrayList<>();
            for (String term : gradientTerms(epochs)) {
                String column = EpochDiagnostics.gradColumn(term, m);
                // a term that never reaches this encoder (H never reaches text) has norm 0: left out of the log axis
                lines.add(new Line(term, e -> e.diagnostic(column) > 0 ? e.diagnostic(column) : Double.NaN));
            }
            XYChart chart = panel(epochs, "Gradient on the " + m.label() + " encoder", "L2 norm (weighted term)",
                    lines.toArray(new Line[0]));
            logScale(chart);
            panels.add(chart);
        }
        for (String space : new String[] {"z", "h"}) {
            List<Line> lines = new ArrayList<>();
            for (Modality m : Modality.values()) {
                for (boolean clean : new boolean[] {true, false}) {
                    String column = EpochDiagnostics.sepColumn(space, m, clean);
                    lines.add(new Line(m.label() + (clean ? " clean" : " negative"), e -> e.diagnostic(column)));
                }
            }
            panels.add(panel(epochs, space.equals("z") ? "Class separation of z (filter projection)"
                    : "Class separation of h (encoder output)", "same-class - other-class cosine", lines.toArray(new Line[0])));
        }
        return panels;
    }

    /** @return the terms whose gradient columns the records carry, in column order */
    static List<String> gradientTerms(List<EpochStats> epochs) {
        java.util.Set<String> terms = new java.util.LinkedHashSet<>();
        if (!epochs.isEmpty()) {
            for (String column : epochs.get(0).diagnostics().keySet()) {
                java.util.regex.Matcher g = java.util.regex.Pattern.compile("grad_(.+)_[tav]").matcher(column);
                if (g.matches()) {
                    terms.add(g.group(1));
                }
            }
        }
        return new ArrayList<>(terms);
    }

    /** Log y axis when every plotted value is positive (XChart refuses zeros on a log axis). */
    private static void logScale(XYChart chart) {
        boolean positive = !chart.getSeriesMap().isEmpty();
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double v : s.getYData()) {
                positive &= v > 0;
            }
        }
        if (positive && chart.getStyler().isLegendVisible()) { // placeholders hide their legend
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisDecimalPattern("0.0E0");
        }
    }

    static String stem(Path file) {
        return file.getFileName().toString().replaceAll("\\.[^.]*$", "");
    }

    /**
     * Predicted against true sentiment, one point per test sample, split into clean samples and
     * samples with negative information when the flags are known, with the identity line; written
     * as {@code png} with an SVG and the plotted data (CSV) next to it.
     *
     * @param negative per-sample flag "affected by negative information", or null
     */
    public static void predictionScatter(float[] predictions, float[] labels, boolean[] negative, Path png)
            throws IOException {
        FigureFiles.save(predictionScatterChart(predictions, labels, negative), png.toAbsolutePath().getParent(), stem(png));
    }

    /** @return the chart of {@link #predictionScatter} */
    public static XYChart predictionScatterChart(float[] predictions, float[] labels, boolean[] negative) {
        XYChart chart = new XYChartBuilder().width(620).height(560).title("Predicted vs true sentiment (test)")
                .xAxisTitle("true sentiment score [-3, 3]").yAxisTitle("predicted sentiment score").build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<Double> cx = new ArrayList<>();
        List<Double> cy = new ArrayList<>();
        List<Double> nx = new ArrayList<>();
        List<Double> ny = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            boolean affected = negative != null && negative[i];
            (affected ? nx : cx).add((double) labels[i]);
            (affected ? ny : cy).add((double) predictions[i]);
        }
        if (!cx.isEmpty()) {
            chart.addSeries(negative == null ? "test samples" : "clean", cx, cy).setMarker(SeriesMarkers.CIRCLE);
        }
        if (!nx.isEmpty()) {
            chart.addSeries("negative information", nx, ny).setMarker(SeriesMarkers.DIAMOND);
        }
        XYSeries identity = chart.addSeries("y = x", new double[] {-3, 3}, new double[] {-3, 3});
        identity.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        identity.setMarker(SeriesMarkers.NONE);
        identity.setLineColor(Color.GRAY);
        return chart;
    }

    /**
     * The 7-class confusion matrix (rounded, clipped to [-3, 3]) with counts in the cells, written
     * as {@code png} with an SVG and the counts (CSV) next to it.
     */
    public static void confusion7(float[] predictions, float[] labels, Path png) throws IOException {
        FigureFiles.save(confusionChart(predictions, labels), png.toAbsolutePath().getParent(), stem(png));
    }

    /** @return the chart of {@link #confusion7} */
    public static org.knowm.xchart.HeatMapChart confusionChart(float[] predictions, float[] labels) {
        int[][] counts = new int[7][7];
        for (int i = 0; i < labels.length; i++) {
            int t = (int) Math.rint(Math.max(-3, Math.min(3, labels[i]))) + 3;
            int p = (int) Math.rint(Math.max(-3, Math.min(3, predictions[i]))) + 3;
            counts[t][p]++;
        }
        int[] classes = {-3, -2, -1, 0, 1, 2, 3};
        int[][] heat = new int[7][7]; // XChart's heat matrix is indexed [x][y]: [predicted][true]
        for (int t = 0; t < 7; t++) {
            for (int p = 0; p < 7; p++) {
                heat[p][t] = counts[t][p];
            }
        }
        org.knowm.xchart.HeatMapChart chart = new org.knowm.xchart.HeatMapChartBuilder().width(620).height(560)
                .title("7-class confusion matrix (test, counts)").xAxisTitle("predicted class")
                .yAxisTitle("true class").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setRangeColors(new Color[] {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)});
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.addSeries("count", classes, classes, heat);
        return chart;
    }

    private static XYChart panel(List<EpochStats> epochs, String title, String yTitle, Line... lines) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        style(chart);
        for (Line line : lines) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (EpochStats e : epochs) {
                double v = line.value().applyAsDouble(e);
                if (Double.isFinite(v)) {
                    x.add((double) e.epoch());
                    y.add(v);
                }
            }
            if (!x.isEmpty()) {
                XYSeries s = chart.addSeries(line.name(), x, y);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return placeholder(title + " (not used in this run)", "epoch", yTitle);
        }
        chart.getStyler().setYAxisDecimalPattern(decimalPattern(chart));
        return chart;
    }

    /**
     * @return a y-axis number pattern with a few significant digits for the data's magnitude
     *     (XChart prints every digit when a range is narrow, e.g. over two epochs)
     */
    static String decimalPattern(XYChart chart) {
        double max = 0;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double v : s.getYData()) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        if (max == 0) {
            return "0.0";
        }
        if (max < 1e-2 || max >= 1e5) {
            return "0.00E0";
        }
        int digits = Math.max(1, 3 - (int) Math.floor(Math.log10(max)));
        return "0." + "0".repeat(Math.min(digits, 5));
    }

    /** @return an empty chart with a title, for panels without data */
    public static XYChart placeholder(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart);
        XYSeries s = chart.addSeries(" ", new double[] {0}, new double[] {0});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    /** Common look: white background, legend inside, no decimal clutter. */
    static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setMarkerSize(5);
    }

}
