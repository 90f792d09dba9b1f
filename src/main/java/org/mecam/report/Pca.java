package org.mecam.report;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/** Principal component analysis to two dimensions, for plotting representations. */
public final class Pca {

    private Pca() {}

    /**
     * @param x rows are samples
     * @return each sample's coordinates on the first two principal components [n][2], and the
     *     fraction of variance each explains in the last row
     */
    public static double[][] project2(float[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / (double) n;
            }
        }
        double[][] cov = new double[d][d];
        for (float[] row : x) {
            for (int a = 0; a < d; a++) {
                double da = row[a] - mean[a];
                for (int b = a; b < d; b++) {
                    cov[a][b] += da * (row[b] - mean[b]) / Math.max(1, n - 1);
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < a; b++) {
                cov[a][b] = cov[b][a];
            }
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eig.getRealEigenvalues();
        int first = argMax(values, -1);
        int second = d > 1 ? argMax(values, first) : first;
        RealMatrix v = eig.getV();
        double total = 0;
        for (double value : values) {
            total += Math.max(0, value);
        }
        double[][] out = new double[n + 1][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i][j] - mean[j];
                out[i][0] += c * v.getEntry(j, first);
                out[i][1] += c * v.getEntry(j, second);
            }
        }
        out[n][0] = total > 0 ? Math.max(0, values[first]) / total : 0;
        out[n][1] = total > 0 && d > 1 ? Math.max(0, values[second]) / total : 0;
        return out;
    }

    private static int argMax(double[] values, int skip) {
        int best = -1;
        for (int i = 0; i < values.length; i++) {
            if (i != skip && (best < 0 || values[i] > values[best])) {
                best = i;
            }
        }
        return best;
    }
}
