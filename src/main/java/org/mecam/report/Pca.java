package org.mecam.report;

/**
 * Principal component analysis to two dimensions, for plotting representations. The covariance
 * is diagonalised with the cyclic Jacobi method, which converges for every symmetric matrix
 * (commons-math's {@code EigenDecomposition} fails to converge on some rank-deficient covariances
 * of L2-normalised representations).
 */
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
        double[][] v = new double[d][d];
        double[] values = jacobi(cov, v);
        int first = argMax(values, -1);
        int second = d > 1 ? argMax(values, first) : first;
        double total = 0;
        for (double value : values) {
            total += Math.max(0, value);
        }
        double[][] out = new double[n + 1][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i][j] - mean[j];
                out[i][0] += c * v[j][first];
                out[i][1] += c * v[j][second];
            }
        }
        out[n][0] = total > 0 ? Math.max(0, values[first]) / total : 0;
        out[n][1] = total > 0 && d > 1 ? Math.max(0, values[second]) / total : 0;
        return out;
    }

    /**
     * Eigen-decomposes a symmetric matrix by cyclic Jacobi rotations.
     *
     * @param a the matrix (overwritten)
     * @param v receives the eigenvectors as columns
     * @return the eigenvalues, in the order of the columns of {@code v}
     */
    static double[] jacobi(double[][] a, double[][] v) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(v[i], 0);
            v[i][i] = 1;
        }
        double scale = 0;
        for (double[] row : a) {
            for (double x : row) {
                scale = Math.max(scale, Math.abs(x));
            }
        }
        for (int sweep = 0; sweep < 100 && scale > 0; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (Math.sqrt(off) <= 1e-15 * scale * n) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) <= 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return values;
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
