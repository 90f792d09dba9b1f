package org.mecam.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
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
     * stages, entropy, gradient norm and learning rate per epoch, as a 3x2 grid.
     *
     * @return the image written to {@code png}
     */
    public static BufferedImage trainingCurves(List<EpochStats> epochs, Path png) throws IOException {
        List<BufferedImage> panels = new ArrayList<>();
        panels.add(panel(epochs, "Task loss and validation MAE", "L1 / MAE",
                new Line("train L1 (stage 1)", EpochStats::task), new Line("valid MAE", EpochStats::validMae),
                new Line("test MAE (leaky)", EpochStats::testMae)));
        panels.add(panel(epochs, "Contrastive loss (nce)", "k (L_t + L_a + L_v)",
                new Line("nce", EpochStats::contrastive)));
        panels.add(panel(epochs, "MMILB log-likelihood (lld)", "lld (nats)",
                new Line("stage 0", EpochStats::stage0Lld), new Line("stage 1", EpochStats::lld)));
        panels.add(panel(epochs, "Entropy term H", "H (nats)", new Line("H", EpochStats::entropy)));
        panels.add(panel(epochs, "Gradient norm before clipping", "global L2 norm",
                new Line("stage 1 mean", EpochStats::gradNorm)));
        panels.add(panel(epochs, "Learning rate (main parameters)", "learning rate",
                new Line("lr", EpochStats::lrMain)));
        BufferedImage grid = grid(panels, 3);
        write(grid, png);
        return grid;
    }

    /**
     * Predicted against true sentiment, one point per test sample, split into clean samples and
     * samples with negative information when the flags are known, with the identity line.
     *
     * @param negative per-sample flag "affected by negative information", or null
     */
    public static BufferedImage predictionScatter(float[] predictions, float[] labels, boolean[] negative, Path png)
            throws IOException {
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
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        write(img, png);
        return img;
    }

    /** The 7-class confusion matrix (rounded, clipped to [-3, 3]) with counts in the cells. */
    public static BufferedImage confusion7(float[] predictions, float[] labels, Path png) throws IOException {
        int[][] counts = new int[7][7];
        for (int i = 0; i < labels.length; i++) {
            int t = (int) Math.rint(Math.max(-3, Math.min(3, labels[i]))) + 3;
            int p = (int) Math.rint(Math.max(-3, Math.min(3, predictions[i]))) + 3;
            counts[t][p]++;
        }
        int[] classes = {-3, -2, -1, 0, 1, 2, 3};
        int[][] heat = new int[49][];
        for (int t = 0; t < 7; t++) {
            for (int p = 0; p < 7; p++) {
                heat[t * 7 + p] = new int[] {p, t, counts[t][p]};
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
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        write(img, png);
        return img;
    }

    private static BufferedImage panel(List<EpochStats> epochs, String title, String yTitle, Line... lines) {
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
            return notUsed(title);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Common look: white background, legend inside, no decimal clutter. */
    static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setMarkerSize(5);
    }

    private static BufferedImage notUsed(String title) {
        BufferedImage img = new BufferedImage(PANEL_WIDTH, PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, PANEL_WIDTH, PANEL_HEIGHT);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 20, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("not used in this run", 20, PANEL_HEIGHT / 2);
        g.dispose();
        return img;
    }

    /** @return the panels laid out row by row, {@code columns} per row */
    static BufferedImage grid(List<BufferedImage> panels, int columns) {
        int rows = (panels.size() + columns - 1) / columns;
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        BufferedImage out = new BufferedImage(w * columns, h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), (i % columns) * w, (i / columns) * h, null);
        }
        g.dispose();
        return out;
    }

    /** Writes a PNG, creating parent directories. */
    static void write(BufferedImage image, Path png) throws IOException {
        if (png.getParent() != null) {
            Files.createDirectories(png.getParent());
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer available for " + png);
        }
    }
}
