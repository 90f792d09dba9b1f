package org.mecam.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.junit.jupiter.api.Test;
import org.mecam.config.ConfigException;
import org.mecam.config.Preset;
import org.mecam.config.RunConfig;
import org.mecam.data.Datasets;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.NegativeMask;
import org.mecam.data.Split;

/**
 * The complementary benchmark: each modality carries its own share of the sentiment and nothing
 * of the others'; detectable negative information is found by a one-number statistic inside its
 * modality, undetectable negative information is not; the oracle masks exactly the recorded
 * modality.
 */
class ComplementaryGeneratorTest {

    private static final int TRAIN = 3000;
    private static final int TEST = 1500;

    private static ComplementaryGenerator generator(double fraction, double undetectable, long seed) {
        SyntheticSpec p = SyntheticSpec.preset(Preset.COMPLEMENTARY, fraction, seed);
        return new ComplementaryGenerator(new SyntheticSpec(TRAIN, 10, TEST, p.textLen(), p.textDim(), p.vocabSize(),
                p.meanWords(), p.audioLen(), p.visionLen(), true, fraction, seed), undetectable);
    }

    /** @return each sample's valid frames of a modality, mean-pooled */
    private static double[][] pooled(FrameStore store, int[] lengths) {
        double[][] out = new double[store.size()][store.dim()];
        for (int i = 0; i < store.size(); i++) {
            for (int t = 0; t < lengths[i]; t++) {
                for (int d = 0; d < store.dim(); d++) {
                    out[i][d] += store.get(i, t, d) / lengths[i];
                }
            }
        }
        return out;
    }

    /** @return the test R^2 of a least-squares fit of y on x (fit on the training rows) */
    private static double probe(double[][] xTrain, double[] yTrain, double[][] xTest, double[] yTest) {
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(yTrain, xTrain);
        double[] beta = ols.estimateRegressionParameters();
        double ss = 0;
        double tot = 0;
        double mean = java.util.Arrays.stream(yTest).average().orElseThrow();
        for (int i = 0; i < yTest.length; i++) {
            double f = beta[0];
            for (int d = 0; d < xTest[i].length; d++) {
                f += beta[d + 1] * xTest[i][d];
            }
            ss += (yTest[i] - f) * (yTest[i] - f);
            tot += (yTest[i] - mean) * (yTest[i] - mean);
        }
        return 1 - ss / tot;
    }

    private static double[][] features(Split s, int modality) {
        switch (modality) {
            case 0:
                return pooled(s.textFeatures, s.textLengths);
            case 1:
                return pooled(s.audio, s.audioLengths);
            default:
                return pooled(s.vision, s.visionLengths);
        }
    }

    private static double[][] concat(double[][]... parts) {
        double[][] out = new double[parts[0].length][];
        for (int i = 0; i < out.length; i++) {
            List<Double> row = new ArrayList<>();
            for (double[][] p : parts) {
                for (double v : p[i]) {
                    row.add(v);
                }
            }
            out[i] = row.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return out;
    }

    private static double[] shares(ComplementaryGenerator g, int split, int n, int modality) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = g.sample(split, i).shares[modality];
        }
        return out;
    }

    private static double[] labels(Split s) {
        double[] out = new double[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.labels[i];
        }
        return out;
    }

    /**
     * A linear probe on one modality's mean-pooled features recovers that modality's share of the
     * sentiment (R^2 > 0.7) and nothing of the other two's (R^2 < 0.02), so it explains about a
     * third of the label; all three together explain far more than any one or two.
     */
    @Test
    void eachModalityCarriesItsOwnShareOnly() {
        ComplementaryGenerator g = generator(0, 0.5, 11);
        Split train = g.split(0, TRAIN);
        Split test = g.split(2, TEST);
        double[][][] xTrain = {features(train, 0), features(train, 1), features(train, 2)};
        double[][][] xTest = {features(test, 0), features(test, 1), features(test, 2)};
        double[] single = new double[3];
        for (int m = 0; m < 3; m++) {
            for (int other = 0; other < 3; other++) {
                double r2 = probe(xTrain[m], shares(g, 0, TRAIN, other), xTest[m], shares(g, 2, TEST, other));
                if (other == m) {
                    assertTrue(r2 > 0.7, "modality " + m + " recovers its own share: R^2 " + r2);
                } else {
                    assertTrue(r2 < 0.02, "modality " + m + " knows nothing of modality " + other + "'s share: R^2 " + r2);
                }
            }
            single[m] = probe(xTrain[m], labels(train), xTest[m], labels(test));
            assertTrue(single[m] > 0.2 && single[m] < 0.4, "one modality explains about a third of the label: " + single[m]);
        }
        double pair = probe(concat(xTrain[0], xTrain[1]), labels(train), concat(xTest[0], xTest[1]), labels(test));
        double all = probe(concat(xTrain), labels(train), concat(xTest), labels(test));
        assertTrue(pair > Math.max(single[0], single[1]) + 0.2, "text and audio together: " + pair + " vs " + single[0]
                + ", " + single[1]);
        assertTrue(all > pair + 0.2, "all three: " + all + " vs a pair: " + pair);
    }

    /** The largest feature norm of a sample's valid tokens or frames in one modality. */
    private static double maxNorm(Split s, int i, int modality) {
        FrameStore store = modality == 0 ? s.textFeatures : modality == 1 ? s.audio : s.vision;
        double max = 0;
        for (int t = 0; t < s.textLengths[i]; t++) {
            double n = 0;
            for (int d = 0; d < store.dim(); d++) {
                n += store.get(i, t, d) * store.get(i, t, d);
            }
            max = Math.max(max, Math.sqrt(n));
        }
        return max;
    }

    /** The norm of a sample's mean-pooled features in one modality. */
    private static double pooledNorm(double[][] pooled, int i) {
        double n = 0;
        for (double v : pooled[i]) {
            n += v * v;
        }
        return Math.sqrt(n);
    }

    /** @return the probability that a hit sample's statistic exceeds a clean sample's (ties count half) */
    private static double auc(Split s, int modality, NegativeInfo kind, ToDoubleFunction<Integer> statistic) {
        List<Double> clean = new ArrayList<>();
        List<Double> hit = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (s.negative[i] == NegativeInfo.NONE) {
                clean.add(statistic.applyAsDouble(i));
            } else if (s.negative[i] == kind && s.negativeModality[i] == NegativeInfo.MOD_TEXT + modality) {
                hit.add(statistic.applyAsDouble(i));
            }
        }
        assertTrue(hit.size() > 50, kind + " in modality " + modality + ": " + hit.size() + " samples");
        double wins = 0;
        for (double h : hit) {
            for (double c : clean) {
                wins += h > c ? 1 : h == c ? 0.5 : 0;
            }
        }
        return wins / hit.size() / clean.size();
    }

    @Test
    void detectableNegativesMarkThemselvesAndUndetectableOnesDoNot() {
        Split test = generator(0.6, 0.5, 12).split(2, TEST);
        for (int m = 0; m < 3; m++) {
            int modality = m;
            double[][] pooled = features(test, m);
            NegativeInfo detectable = m == 0 ? NegativeInfo.GARBLE : NegativeInfo.NOISE;
            double found = auc(test, m, detectable, i -> maxNorm(test, i, modality));
            assertTrue(found > 0.99, detectable + " in modality " + m + ": AUC of the largest feature norm " + found);
            for (ToDoubleFunction<Integer> statistic : List.<ToDoubleFunction<Integer>>of(i -> maxNorm(test, i, modality),
                    i -> pooledNorm(pooled, i))) {
                double hidden = auc(test, m, NegativeInfo.CONFLICT, statistic);
                assertTrue(Math.abs(hidden - 0.5) < 0.06, "conflict in modality " + m + " is no different: AUC " + hidden);
            }
        }
    }

    @Test
    void negativeInformationHitsOneModalityAtTheRatesAsked() {
        Split train = generator(0.4, 0.25, 13).split(0, TRAIN);
        int[] byModality = new int[4];
        int undetectable = 0;
        int negative = 0;
        for (int i = 0; i < train.size(); i++) {
            byModality[train.negativeModality[i]]++;
            if (train.negative[i] != NegativeInfo.NONE) {
                negative++;
                undetectable += train.negative[i] == NegativeInfo.CONFLICT ? 1 : 0;
                assertEquals(train.negative[i] == NegativeInfo.GARBLE, train.negativeModality[i] == NegativeInfo.MOD_TEXT
                        && train.negative[i] != NegativeInfo.CONFLICT, "garbled tokens hit text, noise audio or vision");
            }
        }
        assertEquals(0.4, negative / (double) TRAIN, 0.03);
        assertEquals(0.25, undetectable / (double) negative, 0.04);
        for (int m = 1; m <= 3; m++) {
            assertEquals(negative / 3.0, byModality[m], 0.12 * negative / 3.0, "modality " + m);
        }
    }

    /** A sample's clean content is the same at every negative fraction; generation is deterministic. */
    @Test
    void cleanSamplesDoNotDependOnTheNegativeFraction() {
        Split none = generator(0, 0.5, 14).split(2, 200);
        Split some = generator(0.5, 0.5, 14).split(2, 200);
        Split again = generator(0.5, 0.5, 14).split(2, 200);
        int compared = 0;
        for (int i = 0; i < 200; i++) {
            assertArrayEquals(some.audio.frames(i, 0, 12)[3], again.audio.frames(i, 0, 12)[3]);
            assertEquals(none.labels[i], some.labels[i], "the label is drawn before any negative information");
            if (some.negative[i] == NegativeInfo.NONE) {
                compared++;
                for (int t = 0; t < 12; t++) {
                    assertArrayEquals(none.vision.frames(i, 0, 12)[t], some.vision.frames(i, 0, 12)[t]);
                    assertArrayEquals(none.textFeatures.frames(i, 0, 12)[t], some.textFeatures.frames(i, 0, 12)[t]);
                }
            }
        }
        assertTrue(compared > 70, "" + compared);
    }

    /** @return a complementary-preset config of these sizes and negative fraction */
    private static RunConfig config(double fraction, int train, int valid, int test) {
        RunConfig c = new RunConfig();
        c.preset = Preset.COMPLEMENTARY;
        c.negativeFraction = fraction;
        c.trainSize = train;
        c.validSize = valid;
        c.testSize = test;
        return c;
    }

    /** The oracle zeroes exactly the recorded modality of each hit sample, in every split, and nothing else. */
    @Test
    void theOracleMasksExactlyTheRecordedModality() {
        RunConfig c = config(0.5, 300, 100, 200);
        MultimodalDataset plain = Datasets.load(c);
        c.maskNegative = true;
        MultimodalDataset masked = Datasets.load(c);
        int unk = plain.info().unknownTokenId();
        for (String name : List.of("train", "valid", "test")) {
            Split a = plain.split(name);
            Split b = masked.split(name);
            int hits = 0;
            for (int i = 0; i < a.size(); i++) {
                byte m = a.negativeModality[i];
                hits += m == NegativeInfo.MOD_NONE ? 0 : 1;
                assertEquals(a.labels[i], b.labels[i]);
                assertEquals(a.negative[i], b.negative[i]);
                FrameStore[][] stores = {{a.textFeatures, b.textFeatures}, {a.audio, b.audio}, {a.vision, b.vision}};
                for (int k = 0; k < 3; k++) {
                    float[][] before = stores[k][0].frames(i, 0, stores[k][0].length());
                    float[][] after = stores[k][1].frames(i, 0, stores[k][1].length());
                    for (int t = 0; t < before.length; t++) {
                        if (m == NegativeInfo.MOD_TEXT + k) {
                            assertArrayEquals(new float[before[t].length], after[t], name + " sample " + i + " modality " + k);
                        } else {
                            assertArrayEquals(before[t], after[t], name + " sample " + i + " modality " + k + " untouched");
                        }
                    }
                }
                int len = a.textLengths[i];
                for (int t = 0; t < a.textLen; t++) {
                    boolean inside = t > 0 && t < len - 1;
                    assertEquals(m == NegativeInfo.MOD_TEXT && inside ? unk : a.tokenId(i, t), b.tokenId(i, t));
                }
            }
            assertTrue(hits > a.size() / 3, name + ": " + hits);
        }
        assertTrue(masked.notes().stream().anyMatch(n -> n.contains("the oracle masked")), masked.notes().toString());
    }

    /** The oracle needs recorded negative information; the undetectable share is a fraction. */
    @Test
    void badOracleAndShareInputIsNamed() {
        RunConfig c = config(0.3, 20, 10, 10);
        MultimodalDataset data = Datasets.load(c);
        Split[] unflagged = new Split[3];
        for (int k = 0; k < 3; k++) {
            Split s = data.splits().get(k);
            unflagged[k] = Split.builder(s.name).textFeatures(s.textFeatures, null).textIds(s.textIds, s.textLen)
                    .textLengths(s.textLengths).audio(s.audio, s.audioLengths, null).vision(s.vision, s.visionLengths, null)
                    .labels(s.labels).ids(s.ids).build();
        }
        MultimodalDataset plain = new MultimodalDataset(data.info(), unflagged[0], unflagged[1], unflagged[2]);
        ConfigException e = assertThrows(ConfigException.class, () -> NegativeMask.apply(plain));
        assertTrue(e.getMessage().startsWith("maskNegative: " + data.info().source() + ", split 'train', records no"
                + " negative information"), e.getMessage());
        c.undetectableShare = 1.5;
        ConfigException share = assertThrows(ConfigException.class, c::validate);
        assertTrue(share.getMessage().contains("undetectableShare: must be in [0, 1], got 1.5"), share.getMessage());
    }
}
