package org.mecam.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import org.knowm.xchart.HeatMapSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.AxesChartSeriesCategory;
import org.knowm.xchart.internal.series.AxesChartSeriesNumericalNoErrorBars;
import org.knowm.xchart.internal.series.Series;

/**
 * The data a figure plots, as a long table (one row a point) that {@link FigureFiles} writes as
 * {@code base.csv} beside the figure, so that it can be re-plotted with another tool.
 *
 * <p>Columns: {@code panel} (1, 2, ... in the order the panels are laid out, row by row),
 * {@code panel_title}, {@code x_axis} and {@code y_axis} (the axis titles, with their units),
 * {@code series} (the legend name), {@code x} and {@code y} (a category's name on a category axis);
 * {@code error_bar} (the half-length drawn above and below y) when a series has error bars, and
 * {@code value} (the cell's value at x, y) for heat maps. Bands are written as the polygons drawn
 * (the upper edge left to right, then the lower edge right to left). Numbers have 8 significant
 * digits; an empty cell is a missing value.
 */
public final class FigureData {

    private FigureData() {}

    /**
     * @param panels the charts of one figure, in the order they are laid out
     * @return the points of every enabled series of every panel
     * @throws IllegalArgumentException for a series type whose data this class cannot read
     */
    public static TextTable of(List<? extends Chart<?, ?>> panels) {
        boolean errors = false;
        boolean heat = false;
        for (Chart<?, ?> chart : panels) {
            for (Series s : chart.getSeriesMap().values()) {
                if (!s.isEnabled()) {
                    continue;
                }
                if (s instanceof HeatMapSeries) {
                    heat = true;
                } else if (s instanceof AxesChartSeriesNumericalNoErrorBars n) {
                    errors |= n.getExtraValues() != null;
                } else if (s instanceof AxesChartSeriesCategory c) {
                    errors |= c.getExtraValues() != null;
                } else {
                    throw new IllegalArgumentException("no data writer for a " + s.getClass().getSimpleName()
                            + " ('" + s.getName() + "')");
                }
            }
        }
        List<String> headers = new ArrayList<>(List.of("panel", "panel_title", "x_axis", "y_axis", "series", "x", "y"));
        if (errors) {
            headers.add("error_bar");
        }
        if (heat) {
            headers.add("value");
        }
        TextTable table = new TextTable("Data of the figure", headers);
        for (int p = 0; p < panels.size(); p++) {
            Chart<?, ?> chart = panels.get(p);
            List<String> lead = List.of(Integer.toString(p + 1), text(chart.getTitle()), text(chart.getXAxisTitle()),
                    text(chart.getYAxisTitle()));
            for (Series s : chart.getSeriesMap().values()) {
                if (!s.isEnabled()) {
                    continue;
                }
                for (List<String> point : points(s)) {
                    List<String> cells = new ArrayList<>(lead);
                    cells.add(s.getName());
                    cells.add(point.get(0));
                    cells.add(point.get(1));
                    if (errors) {
                        cells.add(point.get(2));
                    }
                    if (heat) {
                        cells.add(point.get(3));
                    }
                    table.add(cells, null);
                }
            }
        }
        return table;
    }

    /** @return per point of the series: x, y, error bar, heat value (empty where none) */
    private static List<List<String>> points(Series s) {
        List<List<String>> out = new ArrayList<>();
        if (s instanceof HeatMapSeries h) {
            for (Number[] cell : h.getHeatData()) {
                if (cell == null || cell.length < 3 || cell[2] == null) {
                    continue;
                }
                out.add(List.of(label(h.getXData(), cell[0]), label(h.getYData(), cell[1]), "", number(cell[2])));
            }
        } else if (s instanceof AxesChartSeriesNumericalNoErrorBars n) {
            double[] x = n.getXData();
            double[] y = n.getYData();
            double[] e = n.getExtraValues();
            for (int i = 0; i < x.length; i++) {
                out.add(List.of(number(x[i]), number(y[i]), e == null ? "" : number(e[i]), ""));
            }
        } else if (s instanceof AxesChartSeriesCategory c) {
            Iterator<?> x = c.getXData().iterator();
            Iterator<? extends Number> y = c.getYData().iterator();
            Iterator<? extends Number> e = c.getExtraValues() == null ? null : c.getExtraValues().iterator();
            while (x.hasNext() && y.hasNext()) {
                Object xi = x.next();
                out.add(List.of(xi instanceof Number num ? number(num) : String.valueOf(xi), number(y.next()),
                        e == null || !e.hasNext() ? "" : number(e.next()), ""));
            }
        }
        return out;
    }

    /** @return the heat map's label at an index of its axis data (the index itself when out of range) */
    private static String label(Collection<?> axis, Number index) {
        List<?> values = List.copyOf(axis);
        double d = index.doubleValue();
        int i = (int) d;
        if (i == d && i >= 0 && i < values.size()) {
            Object v = values.get(i);
            return v instanceof Number num ? number(num) : String.valueOf(v);
        }
        return number(index);
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static String number(Number n) {
        return n == null ? "" : number(n.doubleValue());
    }

    /**
     * @return the value with 8 significant digits, no exponent for moderate magnitudes, integers
     *     without a decimal point, empty for NaN (a gap in a line)
     */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        BigDecimal b = new BigDecimal(v).round(new MathContext(8)).stripTrailingZeros();
        return Math.abs(v) >= 1e-6 && Math.abs(v) < 1e15 ? b.toPlainString() : b.toString();
    }
}
