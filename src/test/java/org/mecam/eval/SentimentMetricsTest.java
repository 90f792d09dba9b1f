package org.mecam.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SentimentMetrics against hand-computed cases and MMIM's numpy / sklearn evaluation. */
class SentimentMetricsTest {

    @Test
    void roundingTiesHalfToEvenLikeNumpy() {
        float[] p = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 3.7f};
        float[] y = {0f, 2f, 2f, 0f, -2f, 3f};
        SentimentMetrics m = SentimentMetrics.compute(p, y);
        assertEquals(1.0, m.acc7(), "0.5->0, 1.5->2, 2.5->2, -0.5->-0, -2.5->-2, 3.7 clipped to 3");
        assertEquals(1.0, m.acc5(), 1e-12, "clipped to [-2, 2], 3.7 and 3 both become 2");
        SentimentMetrics clipped = SentimentMetrics.compute(new float[] {2.6f}, new float[] {2f});
        assertEquals(0.0, clipped.acc7(), "2.6 rounds to 3");
        assertEquals(1.0, clipped.acc5(), "2.6 is clipped to 2 first");
        SentimentMetrics odd = SentimentMetrics.compute(new float[] {0.5f, 1.5f}, new float[] {1f, 1f});
        assertEquals(0.0, odd.acc7(), "0.5 rounds to 0 and 1.5 to 2, neither is 1");
    }

    @Test
    void zeroLabelsCountAsPositiveInHas0AndAreDroppedInNon0() {
        float[] p = {0.3f, -0.2f, 1.0f, -1.0f, 0.0f};
        float[] y = {0f, 0f, 2f, -2f, 1f};
        SentimentMetrics m = SentimentMetrics.compute(p, y);
        // has0: truth [T, T, T, F, T], pred (p >= 0) [T, F, T, F, T] -> 4/5
        assertEquals(0.8, m.acc2Has0(), 1e-12);
        // non0: samples 2..4, truth [T, F, T], pred (p > 0) [T, F, F] -> 2/3
        assertEquals(2.0 / 3, m.acc2Non0(), 1e-12);
    }

    @Test
    void weightedF1ByHand() {
        float[] p = {1, -1, 1, -1, 1};
        float[] y = {1, 1, 1, -1, -1};
        SentimentMetrics m = SentimentMetrics.compute(p, y);
        // class +: tp 2, predicted 3, support 3 -> F1 2/3; class -: tp 1, predicted 2, support 2 -> F1 1/2
        assertEquals((3 * (2.0 / 3) + 2 * 0.5) / 5, m.f1Has0(), 1e-12);
        assertEquals(0.6, m.acc2Has0(), 1e-12);
    }

    @Test
    void constantPredictionsGiveZeroCorrelationAndAWarning() {
        SentimentMetrics m = SentimentMetrics.compute(new float[] {1, 1, 1}, new float[] {-1, 0, 2});
        assertEquals(0.0, m.corr());
        assertEquals(1, m.warnings().size());
        assertTrue(m.warnings().get(0).contains("constant"));
        assertEquals((2 + 1 + 1) / 3.0, m.mae(), 1e-12);
    }

    @Test
    void allZeroLabelsLeaveNon0Undefined() {
        SentimentMetrics m = SentimentMetrics.compute(new float[] {1, -1}, new float[] {0, 0});
        assertTrue(Double.isNaN(m.acc2Non0()) && Double.isNaN(m.f1Non0()));
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("non0")));
    }

    @Test
    void pearsonByHand() {
        SentimentMetrics m = SentimentMetrics.compute(new float[] {1, 2, 3, 4}, new float[] {2, 4, 5, 9});
        double mp = 2.5;
        double my = 5;
        double[] dp = {-1.5, -0.5, 0.5, 1.5};
        double[] dy = {-3, -1, 0, 4};
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < 4; i++) {
            sxy += dp[i] * dy[i];
            sxx += dp[i] * dp[i];
            syy += dy[i] * dy[i];
        }
        assertEquals(sxy / Math.sqrt(sxx * syy), m.corr(), 1e-12);
        assertEquals(mp + my - 7.5 + (1 + 2 + 2 + 5) / 4.0, m.mae(), 1e-12);
    }

    @Test
    void matchesMmimEvaluationWithNumpyAndSklearn() throws IOException {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/metrics/reference.csv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
        }
        float[] p = new float[lines.size()];
        float[] y = new float[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] c = lines.get(i).split(",");
            p[i] = Float.parseFloat(c[0]);
            y[i] = Float.parseFloat(c[1]);
        }
        JsonObject want;
        try (InputStream in = getClass().getResourceAsStream("/metrics/reference.json")) {
            want = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
        SentimentMetrics m = SentimentMetrics.compute(p, y);
        for (String key : SentimentMetrics.KEYS) {
            assertEquals(want.get(key).getAsDouble(), m.get(key), 1e-9, key);
        }
    }

    @Test
    void rejectsMismatchedInput() {
        assertThrows(IllegalArgumentException.class, () -> SentimentMetrics.compute(new float[2], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> SentimentMetrics.compute(new float[0], new float[0]));
    }
}
