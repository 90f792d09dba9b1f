package org.mecam.report;

import java.util.Arrays;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * What a paired design over seeds can see: the smallest difference a two-sided paired t-test
 * detects with a given power, the number of seeds a difference needs, the equivalence test (TOST)
 * that turns a null into a bound, and Holm's correction for a family of tests. All at alpha 0.05
 * and power 0.8 unless given; the t approximation n = ((t_{1-alpha/2, n-1} + t_{power, n-1}) sd / delta)^2
 * is the one of G*Power's and statsmodels' "paired t, a priori" up to its use of the central t.
 */
public final class Power {

    /** The significance level of every test in the reports. */
    public static final double ALPHA = 0.05;
    /** The power at which the reports state the smallest detectable effect. */
    public static final double POWER = 0.8;

    private Power() {}

    /**
     * @param sd the standard deviation of the paired differences
     * @param n the number of pairs (seeds), at least 2
     * @return the smallest mean difference a two-sided paired t-test at {@code alpha} detects with
     *     probability {@code power}: (t_{1-alpha/2, n-1} + t_{power, n-1}) sd / sqrt(n)
     */
    public static double minimumDetectable(double sd, int n, double alpha, double power) {
        if (n < 2) {
            return Double.NaN;
        }
        TDistribution t = new TDistribution(null, n - 1);
        return (t.inverseCumulativeProbability(1 - alpha / 2) + t.inverseCumulativeProbability(power)) * sd / Math.sqrt(n);
    }

    /** @return {@link #minimumDetectable(double, int, double, double)} at alpha 0.05, power 0.8 */
    public static double minimumDetectable(double sd, int n) {
        return minimumDetectable(sd, n, ALPHA, POWER);
    }

    /**
     * @return the smallest number of pairs (at least 2) whose minimum detectable difference is at
     *     most {@code delta}, at alpha 0.05 and power 0.8
     */
    public static int pairsNeeded(double sd, double delta) {
        if (!(delta > 0) || !(sd >= 0)) {
            throw new IllegalArgumentException("need delta > 0 and sd >= 0, got " + delta + ", " + sd);
        }
        int n = 2;
        while (minimumDetectable(sd, n) > delta) {
            n++;
            if (n > 1_000_000) {
                throw new IllegalArgumentException("more than a million pairs for delta " + delta + " at sd " + sd);
            }
        }
        return n;
    }

    /**
     * Two one-sided t-tests of equivalence: is the mean paired difference within (-margin, margin)?
     *
     * @param d the paired differences
     * @param margin the equivalence margin, > 0
     * @return the TOST p-value, the larger of the two one-sided p-values (NaN for fewer than two
     *     differences); below 0.05 the difference is within the margin at that level
     */
    public static double tost(double[] d, double margin) {
        int n = d.length;
        if (n < 2) {
            return Double.NaN;
        }
        double m = Stats.mean(d);
        double se = Stats.std(d) / Math.sqrt(n);
        if (se == 0) {
            return Math.abs(m) < margin ? 0 : 1;
        }
        TDistribution t = new TDistribution(null, n - 1);
        double lower = 1 - t.cumulativeProbability((m + margin) / se); // H0: mean <= -margin
        double upper = t.cumulativeProbability((m - margin) / se); // H0: mean >= margin
        return Math.max(lower, upper);
    }

    /**
     * @return the largest effect the paired differences leave possible at 95 %: max(|lower|,
     *     |upper|) of the 95 % confidence interval of their mean, so that "effects larger than this
     *     are excluded" (NaN for fewer than two)
     */
    public static double excludedAbove(double[] d) {
        if (d.length < 2) {
            return Double.NaN;
        }
        double m = Stats.mean(d);
        double h = Stats.ci95(d);
        return Math.max(Math.abs(m - h), Math.abs(m + h));
    }

    /**
     * Holm's step-down correction of a family of p-values.
     *
     * @return the adjusted p-values, in the order given (NaN stays NaN and is not counted)
     */
    public static double[] holm(double[] p) {
        Integer[] order = new Integer[p.length];
        int m = 0;
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
            m += Double.isNaN(p[i]) ? 0 : 1;
        }
        Arrays.sort(order, (a, b) -> Double.compare(Double.isNaN(p[a]) ? 2 : p[a], Double.isNaN(p[b]) ? 2 : p[b]));
        double[] out = new double[p.length];
        double running = 0;
        for (int k = 0; k < p.length; k++) {
            int i = order[k];
            if (Double.isNaN(p[i])) {
                out[i] = Double.NaN;
                continue;
            }
            running = Math.max(running, Math.min(1, (m - k) * p[i]));
            out[i] = running;
        }
        return out;
    }
}
