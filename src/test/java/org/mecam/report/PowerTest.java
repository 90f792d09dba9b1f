package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The power computations against values computed by hand with scipy 1.17 (the expressions in each comment). */
class PowerTest {

    @Test
    void minimumDetectableDifferenceMatchesScipy() {
        // (stats.t.ppf(0.975, n-1) + stats.t.ppf(0.8, n-1)) * sd / sqrt(n)
        assertEquals(0.04987428450081622, Power.minimumDetectable(0.03, 5), 1e-9);
        assertEquals(0.01879591083435084, Power.minimumDetectable(0.03, 22), 1e-9);
        assertEquals(0.019894274700193466, Power.minimumDetectable(0.02, 10), 1e-9);
        assertEquals(0.026467977156365445, Power.minimumDetectable(0.05, 30), 1e-9);
        assertTrue(Double.isNaN(Power.minimumDetectable(0.05, 1)));
    }

    @Test
    void pairsNeededIsTheFirstNWhoseDetectableDifferenceFits() {
        // the smallest n with the expression above <= delta
        assertEquals(20, Power.pairsNeeded(0.03, 0.02));
        assertEquals(15, Power.pairsNeeded(0.025, 0.02));
        assertEquals(52, Power.pairsNeeded(0.05, 0.02));
        assertTrue(Power.minimumDetectable(0.03, 19) > 0.02);
    }

    @Test
    void tostMatchesTwoOneSidedScipyTests() {
        // max(ttest_1samp(d, -0.02, alternative='greater'), ttest_1samp(d, 0.02, alternative='less')).pvalue
        double[] d = {0.01, -0.005, 0.002, 0.008, -0.001, 0.004};
        assertEquals(0.0003425762858766845, Power.tost(d, 0.02), 1e-9);
        // a difference that is as large as the margin is not equivalent
        assertTrue(Power.tost(new double[] {0.03, 0.02, 0.025, 0.035}, 0.02) > 0.5);
        // the 95 % CI of d's mean is [-0.00286, 0.00886]: effects beyond 0.0089 are excluded
        assertEquals(0.008861828474397516, Power.excludedAbove(d), 1e-9);
    }

    @Test
    void holmAdjustsInOrderOfThePValues() {
        double[] adjusted = Power.holm(new double[] {0.01, 0.04, 0.03, 0.005, Double.NaN});
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02, Double.NaN}, adjusted, 1e-12);
        assertArrayEquals(new double[] {1.0}, Power.holm(new double[] {1.0}), 0);
    }
}
