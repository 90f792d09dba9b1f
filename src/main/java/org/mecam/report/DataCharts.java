package org.mecam.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;

/** Charts of a dataset: label distributions, valid lengths, one sample's features. */
public final class DataCharts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private DataCharts() {}

    /**
     * The label distribution of each split at the labels' own resolution (steps of 0.2 for
     * MOSI-style averages of five annotators; finer labels are binned to 0.2), as shares.
     */
    public static CategoryChart labelHistogram(MultimodalDataset data) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(380)
                .title("Label distribution per split (share of samples per 0.2 bin)")
                .xAxisTitle("sentiment label").yAxisTitle("share of the split").build();
        style(chart);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setXAxisLabelRotation(90);
        List<String> bins = new ArrayList<>();
        for (int b = -15; b <= 15; b++) {
            bins.add(String.format(java.util.Locale.ROOT, "%.1f", b / 5.0));
        }
        int color = 0;
        for (Split s : data.splits()) {
            double[] share = new double[bins.size()];
            for (float y : s.labels) {
                int b = (int) Math.rint(Math.max(-3, Math.min(3, y)) * 5) + 15;
                share[b] += 1.0 / s.size();
            }
            List<Double> ys = new ArrayList<>();
            for (double v : share) {
                ys.add(v);
            }
            chart.addSeries(s.name + " (n=" + s.size() + ")", bins, ys)
                    .setFillColor(withAlpha(ExperimentCharts.PALETTE[color++ % ExperimentCharts.PALETTE.length], 140));
        }
        return chart;
    }

    /** The 7-class histogram (labels rounded and clipped to [-3, 3]) of each split, as counts. */
    public static CategoryChart classHistogram(MultimodalDataset data) {
        CategoryChart chart = new CategoryChartBuilder().width(620).height(380)
                .title("7-class labels per split (Acc-7 classes)").xAxisTitle("class (rounded label)")
                .yAxisTitle("samples").build();
        style(chart);
        List<String> classes = List.of("-3", "-2", "-1", "0", "1", "2", "3");
        int color = 0;
        for (Split s : data.splits()) {
            List<Integer> counts = new ArrayList<>(List.of(0, 0, 0, 0, 0, 0, 0));
            for (float y : s.labels) {
                int c = (int) Math.rint(Math.max(-3, Math.min(3, y))) + 3;
                counts.set(c, counts.get(c) + 1);
            }
            chart.addSeries(s.name, classes, counts)
                    .setFillColor(ExperimentCharts.PALETTE[color++ % ExperimentCharts.PALETTE.length]);
        }
        return chart;
    }

    /**
     * One sample's frames of a modality as a heat map (frame x feature), padding included, with
     * the valid frames named in the title.
     *
     * @param modality 't' (token features), 'a' or 'v'
     * @param maxFeatures at most this many features are shown (token features have 768)
     */
    public static HeatMapChart features(Split split, int index, char modality, int maxFeatures) {
        FrameStore store;
        int length;
        int start;
        String name;
        switch (modality) {
            case 't' -> {
                store = split.textFeatures;
                length = split.textLengths[index];
                start = split.textStart == null ? 0 : split.textStart[index];
                name = "text token features";
            }
            case 'a' -> {
                store = split.audio;
                length = split.audioLengths[index];
                start = split.audioStart == null ? 0 : split.audioStart[index];
                name = "audio frames";
            }
            case 'v' -> {
                store = split.vision;
                length = split.visionLengths[index];
                start = split.visionStart == null ? 0 : split.visionStart[index];
                name = "vision frames";
            }
            default -> throw new IllegalArgumentException("modality must be 't', 'a' or 'v', got '" + modality + "'");
        }
        if (store == null) {
            throw new IllegalArgumentException("split " + split.name + " has no " + name);
        }
        if (index < 0 || index >= split.size()) {
            throw new IllegalArgumentException("sample " + index + " is outside split " + split.name + " (n="
                    + split.size() + ")");
        }
        // all frames (padding shows where it is) unless there are too many to label; then the valid ones
        int first = store.length() <= 100 ? 0 : start;
        int frames = store.length() <= 100 ? store.length() : Math.max(1, length);
        int dims = Math.min(store.dim(), Math.max(1, maxFeatures));
        float[][] x = store.frames(index, first, frames);
        String negative = split.hasNegativeFlags() && split.negative[index] != NegativeInfo.NONE
                ? ", " + split.negative[index].key() + " in " + NegativeInfo.modalityName(split.negativeModality[index])
                : "";
        HeatMapChart chart = new HeatMapChartBuilder().width(900).height(360)
                .title(String.format(java.util.Locale.ROOT, "%s, %s sample %d (label %+.1f%s)", name, split.name, index,
                        split.labels[index], negative))
                .xAxisTitle(String.format(java.util.Locale.ROOT, "frame (valid: %d to %d)", start, start + length - 1))
                .yAxisTitle(dims < store.dim() ? "feature (first " + dims + " of " + store.dim() + ")" : "feature")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setDecimalPattern("0.0");
        chart.getStyler().setHeatMapValueDecimalPattern("0.0");
        chart.getStyler().setRangeColors(new Color[] {new Color(33, 102, 172), Color.WHITE, new Color(178, 24, 43)});
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            xs.add(first + t);
        }
        for (int d = 0; d < dims; d++) {
            ys.add(d);
        }
        float max = 1e-6f;
        for (float[] row : x) {
            for (int d = 0; d < dims; d++) {
                max = Math.max(max, Math.abs(row[d]));
            }
        }
        chart.getStyler().setMin(-max);
        chart.getStyler().setMax(max);
        List<Number[]> heat = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            for (int d = 0; d < dims; d++) {
                heat.add(new Number[] {t, d, x[t][d]}); // indices into xs and ys
            }
        }
        chart.addSeries("value", xs, ys, heat);
        return chart;
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
    }

    private static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }
}
