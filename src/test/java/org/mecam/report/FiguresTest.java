package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;

/** The figures' data: confusion cells at (predicted, true), scatter split by negative information. */
class FiguresTest {

    @Test
    void confusionCellsSitAtPredictedAndTrueClass() {
        float[] p = {1.2f, -2.6f, 0.4f, 0.3f};
        float[] y = {1f, -3f, 2f, 2f};
        HeatMapChart chart = Figures.confusionChart(p, y);
        Map<String, Integer> cells = new HashMap<>();
        for (Number[] cell : chart.getHeatMapSeries().getHeatData()) {
            cells.put(cell[0].intValue() + "," + cell[1].intValue(), cell[2].intValue());
        }
        assertEquals(49, cells.size());
        assertEquals(1, cells.get("4,4"), "predicted 1, true 1");
        assertEquals(1, cells.get("0,0"), "predicted -3 (rounded -2.6), true -3");
        assertEquals(2, cells.get("3,5"), "predicted 0 twice, true 2");
        assertEquals(4, cells.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void scatterSeparatesCleanAndAffectedSamples() {
        XYChart chart = Figures.predictionScatterChart(new float[] {1, 2, 3}, new float[] {1, 2, 2},
                new boolean[] {true, false, false});
        assertEquals(List.of("clean", "negative information", "y = x"), List.copyOf(chart.getSeriesMap().keySet()));
        assertEquals(2, chart.getSeriesMap().get("clean").getXData().length);
        assertTrue(chart.getXAxisTitle().contains("true") && chart.getYAxisTitle().contains("predicted"));
    }

    @Test
    void lossEffectsDrawEachTermOnEachEncoderOnALogAxis() {
        java.util.List<org.mecam.train.EpochStats> epochs = new java.util.ArrayList<>();
        for (int e = 1; e <= 3; e++) {
            org.mecam.objective.Objective objective = org.mecam.objective.Objective.standard();
            Map<String, Double> d = org.mecam.train.EpochDiagnostics.empty(objective);
            for (String c : org.mecam.train.EpochDiagnostics.columns(objective)) {
                d.put(c, c.startsWith("grad_entropy_t") ? 0.0 : 0.1 * e);
            }
            Map<String, Double> terms = new java.util.LinkedHashMap<>();
            objective.names().forEach(n -> terms.put(n, 1.0));
            epochs.add(new org.mecam.train.EpochStats(e, terms, Map.of("entropy_skipped", 0), 1, 1, 1, Double.NaN, 1e-3,
                    false, 1, 1, d));
        }
        List<XYChart> panels = Figures.lossEffectPanels(epochs);
        assertEquals(5, panels.size(), "three encoders, separation of z and of h");
        XYChart text = panels.get(0);
        assertTrue(text.getStyler().isYAxisLogarithmic());
        assertEquals(List.of("task", "contrastive", "lld"), List.copyOf(text.getSeriesMap().keySet()),
                "H never reaches the text encoder: no line");
        assertEquals(4, panels.get(1).getSeriesMap().size());
        assertEquals(6, panels.get(3).getSeriesMap().size(), "t, a, v x clean, negative");
    }
}
