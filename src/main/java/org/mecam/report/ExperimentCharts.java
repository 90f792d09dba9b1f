package org.mecam.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Charts of experiment grids: ablation bars and paired differences (dots and intervals), robustness
 * curves, projections, attention.
 */
public final class ExperimentCharts {

    /** A colour per series, colour-blind safe (Okabe-Ito). */
    static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66),
        new Color(0, 0, 0)};

    private ExperimentCharts() {}

    /** Mean and standard deviation of one series, over seeds. */
    public record MeanStd(double[] mean, double[] std) {}

    /**
     * Bars of a metric per variant (mean over seeds) with +-1 std error bars, the y axis from zero.
     *
     * @param metricLabel the y axis, with its unit
     */
    public static CategoryChart ablationBars(String title, String metricLabel, List<String> variants, MeanStd values) {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(560)
                .title(title + " (mean over seeds, error bars ±1 std)").xAxisTitle("variant").yAxisTitle(metricLabel).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(35);
        chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        chart.getStyler().setSeriesColors(new Color[] {PALETTE[0]});
        List<Double> mean = new ArrayList<>();
        List<Double> std = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            if (!Double.isNaN(values.mean()[i])) {
                names.add(variants.get(i));
                mean.add(values.mean()[i]);
                std.add(Double.isNaN(values.std()[i]) ? 0 : values.std()[i]);
            }
        }
        double high = 0;
        for (int i = 0; i < mean.size(); i++) {
            high = Math.max(high, mean.get(i) + std.get(i));
        }
        if (!names.isEmpty()) {
            // bars start at zero: their lengths are the values (a cut axis makes 0.74 and 0.88 look 1.8x apart)
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(high > 0 ? high * 1.08 : 1.0);
            chart.addSeries("mean over seeds", names, mean, std);
        }
        return chart;
    }

    /**
     * One row of a dot-and-interval plot: an estimate with its confidence interval, marked or not.
     *
     * @param name the row's label on the axis
     * @param estimate the dot
     * @param low lower end of the interval (NaN: none drawn)
     * @param high upper end of the interval (NaN: none drawn)
     * @param marked drawn as a filled dot (else hollow)
     */
    public record Interval(String name, double estimate, double low, double high, boolean marked) {}

    /**
     * A dot-and-interval plot: one row per estimate, top to bottom in the order given, its
     * interval as a horizontal line through it, the dot filled when marked and hollow when not, a
     * vertical line at zero. The height grows with the rows so that every label stays legible.
     *
     * @param xTitle the axis of the estimates, with its unit and direction
     * @param legends the legend entries of the interval, the filled dots and the hollow ones
     */
    public static XYChart dotsAndIntervals(String title, String xTitle, List<Interval> rows, String[] legends) {
        if (rows.isEmpty()) {
            return Figures.placeholder(title + " (nothing to compare)", xTitle, "");
        }
        int n = rows.size();
        XYChart chart = new XYChartBuilder().width(1100).height(150 + 26 * n).title(title).xAxisTitle(xTitle)
                .yAxisTitle("").build();
        Figures.style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisTitleVisible(false);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setYAxisMin(0.4);
        chart.getStyler().setYAxisMax(n + 0.6);
        chart.getStyler().setYAxisTickMarkSpacingHint(10);
        // one tick per row: with a function formatting them, XChart puts the y ticks at the data's
        // y values when those are equally spaced in the order the series bring them (0, the rows
        // bottom to top, n + 1, see below), extrapolated beyond; every label must differ (blanks of
        // different lengths off the rows), and the axis ends must format apart, or there are none
        chart.getStyler().setyAxisTickLabelsFormattingFunction(y -> {
            long r = Math.round(y);
            if (Math.abs(y - r) < 1e-9 && r >= 1 && r <= n) {
                return rows.get((int) (n - r)).name();
            }
            return r < 1 ? " ".repeat((int) Math.min(40, 2 * (1 - r) + 1)) : " ".repeat((int) Math.min(40, 2 * Math.max(1, r - n)));
        });
        double low = 0;
        double high = 0;
        for (Interval r : rows) {
            for (double v : new double[] {r.estimate(), r.low(), r.high()}) {
                if (Double.isFinite(v)) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                }
            }
        }
        double pad = Math.max(1e-3, (high - low) * 0.05);
        chart.getStyler().setXAxisMin(low - pad);
        chart.getStyler().setXAxisMax(high + pad);
        chart.getStyler().setXAxisDecimalPattern(high - low < 0.05 ? "+0.000;-0.000" : "+0.00;-0.00");
        chart.getStyler().setAnnotationLineColor(Color.DARK_GRAY);
        chart.getStyler().setAnnotationLineStroke(new java.awt.BasicStroke(1.2f, java.awt.BasicStroke.CAP_BUTT,
                java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
        chart.addAnnotation(new org.knowm.xchart.AnnotationLine(0, true, false));
        Color ink = PALETTE[0];
        boolean first = true;
        List<Double> filledX = new ArrayList<>();
        List<Double> filledY = new ArrayList<>();
        List<Double> hollowX = new ArrayList<>();
        List<Double> hollowY = new ArrayList<>();
        anchor(chart, "below the rows", 0);
        for (int i = n - 1; i >= 0; i--) {
            Interval r = rows.get(i);
            double y = n - i;
            boolean drawn = Double.isFinite(r.low()) && Double.isFinite(r.high());
            XYSeries ci = chart.addSeries("interval " + (i + 1), drawn ? new double[] {r.low(), r.high()}
                    : new double[] {r.estimate(), r.estimate()}, new double[] {y, y});
            ci.setMarker(SeriesMarkers.NONE);
            ci.setLineColor(drawn ? Color.DARK_GRAY : new Color(0, 0, 0, 0));
            ci.setLineStyle(new java.awt.BasicStroke(2f));
            ci.setShowInLegend(drawn && first);
            ci.setLabel(legends[0]);
            first &= !drawn;
            (r.marked() ? filledX : hollowX).add(r.estimate());
            (r.marked() ? filledY : hollowY).add(y);
        }
        anchor(chart, "above the rows", n + 1);
        if (!filledX.isEmpty()) {
            XYSeries dots = chart.addSeries(legends[1], filledX, filledY);
            dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dots.setMarker(SeriesMarkers.CIRCLE);
            dots.setMarkerColor(ink);
        }
        if (!hollowX.isEmpty()) {
            XYSeries dots = chart.addSeries(legends[2], hollowX, hollowY);
            dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dots.setMarker(new HollowCircle());
            dots.setMarkerColor(ink);
        }
        return chart;
    }

    /** Adds an invisible point at (0, y), outside the legend, so that y is one of the axis's values. */
    private static void anchor(XYChart chart, String name, double y) {
        XYSeries s = chart.addSeries(name, new double[] {0}, new double[] {y});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
        s.setShowInLegend(false);
    }

    /** A circle drawn as its outline on white, for "not marked" in {@link #dotsAndIntervals}. */
    private static final class HollowCircle extends org.knowm.xchart.style.markers.Marker {

        @Override
        public void paint(java.awt.Graphics2D g, double xOffset, double yOffset, int markerSize) {
            Color ink = g.getColor();
            java.awt.Stroke stroke = g.getStroke();
            double d = markerSize;
            java.awt.geom.Ellipse2D.Double circle = new java.awt.geom.Ellipse2D.Double(xOffset - d / 2, yOffset - d / 2, d, d);
            g.setColor(Color.WHITE);
            g.fill(circle);
            g.setColor(ink);
            g.setStroke(new java.awt.BasicStroke(2f));
            g.draw(circle);
            g.setStroke(stroke);
        }
    }

    /**
     * A metric against the perturbation level, one line per method, a translucent +-1 std band
     * around each.
     */
    public static XYChart robustnessCurves(String title, String metricLabel, double[] levels,
            Map<String, MeanStd> byMethod) {
        Map<String, Band> bands = new java.util.LinkedHashMap<>();
        byMethod.forEach((k, v) -> bands.put(k, new Band(levels, v.mean(), v.std())));
        return bandCurves(title, "perturbation level p (fraction)", metricLabel, bands, "+-1 std");
    }

    /**
     * One line with a band around it.
     *
     * @param x positions
     * @param mean values at x
     * @param half half-widths of the band at x (NaN draws none)
     */
    public record Band(double[] x, double[] mean, double[] half) {}

    /**
     * A metric against a numeric setting, one line per method, a translucent band around each
     * (named by {@code bandName} in the series names, e.g. "95% CI"; hidden from the legend).
     */
    public static XYChart bandCurves(String title, String xTitle, String metricLabel, Map<String, Band> byMethod,
            String bandName) {
        // a vertical legend on the right: a horizontal one below is cut off beyond five methods
        XYChart chart = new XYChartBuilder().width(780).height(440).title(title)
                .xAxisTitle(xTitle).yAxisTitle(metricLabel).build();
        Figures.style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        int k = 0;
        for (Map.Entry<String, Band> e : byMethod.entrySet()) {
            Color c = PALETTE[k++ % PALETTE.length];
            double[] x = e.getValue().x();
            double[] m = e.getValue().mean();
            double[] s = e.getValue().half();
            double[] bx = new double[2 * x.length];
            double[] by = new double[2 * x.length];
            for (int i = 0; i < x.length; i++) {
                double sd = Double.isNaN(s[i]) ? 0 : s[i];
                bx[i] = x[i];
                by[i] = m[i] + sd;
                bx[bx.length - 1 - i] = x[i];
                by[by.length - 1 - i] = m[i] - sd;
            }
            XYSeries band = chart.addSeries(e.getKey() + " " + bandName, bx, by);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            band.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 0));
            band.setMarker(SeriesMarkers.NONE);
            band.setShowInLegend(false);
            XYSeries line = chart.addSeries(e.getKey(), x, m);
            line.setLineColor(c);
            line.setMarkerColor(c);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        if (byMethod.isEmpty()) {
            return Figures.placeholder(title + " (no runs yet)", xTitle, metricLabel);
        }
        return chart;
    }

    /**
     * A 2-D projection of representations, one colour per rounded sentiment class.
     *
     * @param points [n][2] coordinates
     * @param labels sentiment scores of the points
     * @param axes the axis titles (e.g. PC 1 (34% of variance))
     */
    public static XYChart projection(String title, double[][] points, float[] labels, String[] axes) {
        XYChart chart = new XYChartBuilder().width(460).height(420).title(title).xAxisTitle(axes[0])
                .yAxisTitle(axes[1]).build();
        Figures.style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(4);
        Color[] diverging = {new Color(178, 24, 43), new Color(239, 138, 98), new Color(253, 219, 199),
            new Color(150, 150, 150), new Color(209, 229, 240), new Color(103, 169, 207), new Color(33, 102, 172)};
        for (int c = -3; c <= 3; c++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if ((int) Math.rint(Math.max(-3, Math.min(3, labels[i]))) == c) {
                    x.add(points[i][0]);
                    y.add(points[i][1]);
                }
            }
            if (!x.isEmpty()) {
                XYSeries s = chart.addSeries("sentiment " + (c > 0 ? "+" : "") + c, x, y);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(diverging[c + 3]);
            }
        }
        return chart;
    }

    /**
     * Attention of one sample: frames (y) against text tokens (x), the softmax distribution over
     * tokens averaged over heads (each row sums to 1).
     *
     * @param weights [frames][tokens]
     */
    public static HeatMapChart attention(String title, String frameLabel, float[][] weights) {
        HeatMapChart chart = new HeatMapChartBuilder().width(620).height(560).title(title)
                .xAxisTitle("text token position").yAxisTitle(frameLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setHeatMapValueDecimalPattern("0.00");
        chart.getStyler().setMin(0);
        chart.getStyler().setRangeColors(new Color[] {new Color(255, 255, 255), new Color(253, 141, 60),
            new Color(128, 0, 38)});
        int frames = weights.length;
        int tokens = weights[0].length;
        List<Integer> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        for (int t = 0; t < tokens; t++) {
            x.add(t);
        }
        for (int f = 0; f < frames; f++) {
            y.add(f);
        }
        List<Number[]> heat = new ArrayList<>();
        for (int t = 0; t < tokens; t++) {
            for (int f = 0; f < frames; f++) {
                heat.add(new Number[] {t, f, weights[f][t]});
            }
        }
        chart.addSeries("attention probability (mean over heads)", x, y, heat);
        return chart;
    }
}
