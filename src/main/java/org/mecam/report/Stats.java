package org.mecam.report;

import org.apache.commons.math3.distribution.TDistribution;

/** Summary statistics over seeds and the paired test that compares two variants seed by seed. */
public final class Stats {

    private Stats() {}

    /** @return the mean (NaN for no values) */
    public static double mean(double[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** @return the sample standard deviation (n - 1; NaN for fewer than two values) */
    public static double std(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (x.length - 1));
    }

    /**
     * @return the half-width of the two-sided 95 % confidence interval of the mean, t_{0.975, n-1}
     *     s / sqrt(n) (NaN for fewer than two values)
     */
    public static double ci95(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        return new TDistribution(null, x.length - 1).inverseCumulativeProbability(0.975) * std(x) / Math.sqrt(x.length);
    }

    /**
     * @param number a format for one number, e.g. {@code %.4f}
     * @return "mean [low, high]" with the 95 % confidence interval of the mean, the mean alone for
     *     one value, empty for none
     */
    public static String meanCi(double[] x, String number) {
        if (x.length == 0) {
            return "";
        }
        double m = mean(x);
        if (x.length < 2) {
            return String.format(java.util.Locale.ROOT, number, m);
        }
        double h = ci95(x);
        return String.format(java.util.Locale.ROOT, number + " [" + number + ", " + number + "]", m, m - h, m + h);
    }

    /**
     * @param a values of one variant, by seed
     * @param b values of the other, same seeds in the same order
     * @return "+0.011 [+0.002, +0.019] (p=0.026)": the mean difference a − b, the 95 % confidence
     *     interval of it (t distribution) and the paired t-test's p; the difference alone for one
     *     pair; empty for none
     */
    public static String pairedDifference(double[] a, double[] b) {
        PairedTest t = pairedTTest(a, b);
        if (t.n() == 0) {
            return "";
        }
        String m = String.format(java.util.Locale.ROOT, "%+.3f", t.meanDifference());
        if (Double.isNaN(t.p())) {
            return m;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        double h = ci95(d);
        return String.format(java.util.Locale.ROOT, "%s [%+.3f, %+.3f] (p=%.3f)", m, t.meanDifference() - h,
                t.meanDifference() + h, t.p());
    }

    /**
     * A two-sided paired t-test.
     *
     * @param meanDifference mean of a - b
     * @param t the t statistic
     * @param p the two-sided p-value
     * @param n the number of pairs
     */
    public record PairedTest(double meanDifference, double t, double p, int n) {

        /** @return the name of the test, for captions */
        public static String name() {
            return "two-sided paired t-test over seeds";
        }
    }

    /**
     * @param a values of one variant, by seed
     * @param b values of the other, same seeds in the same order
     * @return the test; t and p are NaN with fewer than two pairs, and p is 1 when every difference is 0
     */
    public static PairedTest pairedTTest(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " vs " + b.length + " paired values");
        }
        int n = a.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
        }
        double m = mean(d);
        if (n < 2) {
            return new PairedTest(m, Double.NaN, Double.NaN, n);
        }
        double s = std(d);
        if (s == 0) {
            return new PairedTest(m, m == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, m), m == 0 ? 1 : 0, n);
        }
        double t = m / (s / Math.sqrt(n));
        double p = 2 * new TDistribution(null, n - 1).cumulativeProbability(-Math.abs(t));
        return new PairedTest(m, t, p, n);
    }
}
