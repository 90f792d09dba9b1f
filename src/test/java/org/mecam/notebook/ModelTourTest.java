package org.mecam.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapSeries;
import org.mecam.TestSupport;
import org.mecam.config.Modality;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.report.TextTable;

/** What notebook 07 shows of the model, computed by the library and checked here. */
class ModelTourTest {

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    @Test
    void blocksTermsGradientsAttentionAndTargets() {
        RunConfig c = TestSupport.tiny();
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        try (ModelTour tour = ModelTour.open(c, data)) {
            TextTable blocks = tour.blocks();
            long parameters = 0;
            for (Pair<String, ai.djl.nn.Parameter> p : tour.model().getParameters()) {
                parameters += p.getValue().getArray().size();
            }
            List<String> total = blocks.rows().get(blocks.rows().size() - 1);
            assertEquals(List.of("total", Long.toString(parameters)), List.of(total.get(0), total.get(2)));
            assertTrue(blocks.rows().stream().anyMatch(r -> r.get(0).equals("contrast_a")), blocks.markdown());

            TextTable objective = tour.objective();
            assertEquals(List.of("stage0_lld", "task", "contrastive", "lld", "entropy"),
                    objective.rows().stream().map(r -> r.get(0)).toList());

            TextTable losses = tour.losses();
            assertEquals(List.of("task", "contrastive", "lld", "entropy"), losses.rows().stream().map(r -> r.get(0)).toList(),
                    losses.markdown());
            List<String> contrastive = losses.rows().get(1);
            assertEquals(0.2, Double.parseDouble(contrastive.get(1)), 1e-12, "alpha");
            assertEquals(Double.parseDouble(contrastive.get(2)) * 0.2, Double.parseDouble(contrastive.get(3)),
                    1e-3 * Math.abs(Double.parseDouble(contrastive.get(3))), "weighted = alpha x value");
            for (int k = 4; k < 7; k++) {
                assertTrue(Double.parseDouble(contrastive.get(k)) > 0, "the filter reaches every encoder: " + contrastive);
            }
            assertEquals(0.0, Double.parseDouble(losses.rows().get(3).get(4)), 0.0, "H never reaches the text encoder");

            HeatMapChart attention = tour.attention(Modality.AUDIO);
            HeatMapSeries s = attention.getSeriesMap().values().iterator().next();
            double[] rowSum = new double[s.getYData().size()];
            for (Number[] cell : s.getHeatData()) {
                rowSum[cell[1].intValue()] += cell[2].doubleValue();
            }
            for (double sum : rowSum) {
                assertEquals(1.0, sum, 1e-4, "each frame's attention is a distribution over tokens");
            }

            HeatMapSeries targets = tour.contrastTargets().getSeriesMap().values().iterator().next();
            for (Number[] cell : targets.getHeatData()) {
                if (cell[0].intValue() == cell[1].intValue()) {
                    assertEquals(0.5, cell[2].doubleValue(), 0.0, "self, left out with excludeSelf");
                }
            }
        }
        RunConfig late = TestSupport.tiny("fusion=late");
        try (ModelTour tour = ModelTour.open(late, new SyntheticGenerator(SyntheticSpec.of(late)).generate())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tour.attention(Modality.AUDIO));
            assertTrue(e.getMessage().contains("fusion=late"), e.getMessage());
        }
    }
}
