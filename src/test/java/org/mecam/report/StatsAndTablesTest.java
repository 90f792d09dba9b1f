package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregation statistics against hand and scipy values; the table writers' three formats. */
class StatsAndTablesTest {

    @TempDir
    Path tmp;

    @Test
    void meanAndSampleStd() {
        double[] x = {0.731, 0.745, 0.752, 0.739, 0.760};
        assertEquals(0.7454, Stats.mean(x), 1e-12);
        double m = 0.7454;
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        assertEquals(Math.sqrt(ss / 4), Stats.std(x), 1e-12, "n - 1 denominator");
        assertEquals(0.011238327277669049, Stats.std(x), 1e-12, "numpy std(ddof=1)");
        assertTrue(Double.isNaN(Stats.std(new double[] {1})));
    }

    @Test
    void pairedTTestMatchesScipy() {
        double[] a = {0.731, 0.745, 0.752, 0.739, 0.760};
        double[] b = {0.742, 0.751, 0.768, 0.741, 0.779};
        Stats.PairedTest t = Stats.pairedTTest(a, b);
        assertEquals(-3.4605432150048077, t.t(), 1e-9, "scipy.stats.ttest_rel statistic");
        assertEquals(0.025804981611446655, t.p(), 1e-9, "scipy.stats.ttest_rel p-value");
        assertEquals(5, t.n());
        assertEquals(-0.0108, t.meanDifference(), 1e-12);
        assertEquals(1.0, Stats.pairedTTest(a, a).p(), "identical runs");
        assertTrue(Double.isNaN(Stats.pairedTTest(new double[] {1}, new double[] {2}).p()));
        // scipy: d = a - b, mean -0.0108, t.ppf(0.975, 4) * d.std(ddof=1) / sqrt(5) = 0.008665
        assertEquals("-0.011 [-0.019, -0.002] (p=0.026)", Stats.pairedDifference(a, b));
        assertEquals("+1.000", Stats.pairedDifference(new double[] {3}, new double[] {2}), "one pair: no interval, no test");
        assertEquals("", Stats.pairedDifference(new double[0], new double[0]));
    }

    @Test
    void tablesAsCsvMarkdownAndLatex() throws IOException {
        TextTable t = new TextTable("Ablations_x & y", List.of("variant", "MAE"));
        t.add(List.of("full", "0.712 ± 0.010"), new boolean[] {false, true});
        t.add(List.of("w/o filter, a", "0.745 ± 0.012"), null);
        t.note("p: paired t-test");
        List<Path> files = t.write(tmp, "table");
        assertEquals(3, files.size());
        String md = Files.readString(tmp.resolve("table.md"));
        assertTrue(md.contains("| full | **0.712 ± 0.010** |"), md);
        TextTable piped = new TextTable("t", List.of("variant", "|Δ| above")).add(List.of("a|b", "1"), null);
        assertTrue(piped.markdown().contains("| variant | \\|Δ\\| above |\n|---|---|\n| a\\|b | 1 |"),
                "pipes in headers and cells escaped, or the table falls apart: " + piped.markdown());
        String tex = Files.readString(tmp.resolve("table.tex"));
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"));
        assertTrue(tex.contains("\\textbf{0.712 $\\pm$ 0.010}"), tex);
        assertTrue(tex.contains("Ablations\\_x \\& y"), "LaTeX special characters escaped");
        String csv = Files.readString(tmp.resolve("table.csv"));
        assertTrue(csv.contains("\"w/o filter, a\",0.712") || csv.contains("\"w/o filter, a\",0.745"), csv);
    }

    @Test
    void pcaFindsTheDirectionOfLargestVariance() {
        float[][] x = new float[50][3];
        for (int i = 0; i < 50; i++) {
            x[i][0] = i;
            x[i][1] = 0.01f * (i % 3);
            x[i][2] = 5;
        }
        double[][] p = Pca.project2(x);
        assertEquals(0.999, p[50][0], 0.01, "almost all variance on the first component");
        assertEquals(Math.abs(p[49][0] - p[0][0]), 49, 1e-6);
    }

    @Test
    void jacobiMatchesCommonsMathOnRandomSymmetricMatrices() {
        java.util.Random r = new java.util.Random(5);
        for (int n : new int[] {1, 2, 7, 40}) {
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    a[i][j] = a[j][i] = r.nextGaussian();
                }
            }
            double[] expected = new org.apache.commons.math3.linear.EigenDecomposition(
                    new org.apache.commons.math3.linear.Array2DRowRealMatrix(a)).getRealEigenvalues();
            double[][] copy = new double[n][];
            for (int i = 0; i < n; i++) {
                copy[i] = a[i].clone();
            }
            double[][] v = new double[n][n];
            double[] got = Pca.jacobi(copy, v);
            java.util.Arrays.sort(expected);
            double[] sorted = got.clone();
            java.util.Arrays.sort(sorted);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, sorted, 1e-9, "eigenvalues, n=" + n);
            for (int k = 0; k < n; k++) { // A v_k = lambda_k v_k
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int j = 0; j < n; j++) {
                        av += a[i][j] * v[j][k];
                    }
                    assertEquals(got[k] * v[i][k], av, 1e-9, "eigenvector " + k + ", n=" + n);
                }
            }
        }
    }

    /** L2-normalised vision representations after one epoch, on which commons-math's EigenDecomposition does not converge. */
    @Test
    void pcaOfARankDeficientCovarianceWhereCommonsMathFailsToConverge() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(getClass().getResource("/report/pca-no-convergence.csv").toURI()));
        float[][] x = new float[lines.size()][];
        for (int i = 0; i < x.length; i++) {
            String[] parts = lines.get(i).split(",");
            x[i] = new float[parts.length];
            for (int j = 0; j < parts.length; j++) {
                x[i][j] = Float.parseFloat(parts[j]);
            }
        }
        double[][] p = Pca.project2(x);
        double variance = 0;
        for (double[] row : p) {
            assertTrue(Double.isFinite(row[0]) && Double.isFinite(row[1]));
        }
        for (int i = 0; i < x.length; i++) {
            variance += p[i][0] * p[i][0] / (x.length - 1);
        }
        assertTrue(p[x.length][0] >= p[x.length][1] && p[x.length][0] > 0 && p[x.length][0] <= 1, "explained shares");
        // the variance along PC 1 is the largest eigenvalue: at least the covariance's average eigenvalue
        double total = 0;
        for (int j = 0; j < x[0].length; j++) {
            double m = 0;
            for (float[] row : x) {
                m += row[j] / x.length;
            }
            for (float[] row : x) {
                total += (row[j] - m) * (row[j] - m) / (x.length - 1);
            }
        }
        assertEquals(p[x.length][0] * total, variance, 1e-6 * total, "PC 1's variance is its share of the total");
    }
}
