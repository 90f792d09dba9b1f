package org.mecam.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.ConfigException;
import org.mecam.data.Split;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;

/** Each perturbation is the identity at p = 0 and at p > 0 changes exactly what it claims. */
@ExtendWith(NDManagerExtension.class)
class PerturbationsTest {

    @NDManagerExtension.Managed
    static NDManager manager;
    static Split test;

    @BeforeAll
    static void start() {
        TestSupport.start();
        test = new SyntheticGenerator(SyntheticSpec.of(TestSupport.tiny("negativeFraction=0"))).generate().test();
    }

    static BatchBuilder.SampleView view(int i, Perturbation.Kind kind, double p) {
        return BatchBuilder.view(test, i, Perturbations.test(List.of(new Perturbation(kind, p)), 9, 1));
    }

    @ParameterizedTest
    @EnumSource(Perturbation.Kind.class)
    void levelZeroIsTheIdentity(Perturbation.Kind kind) {
        for (int i = 0; i < 20; i++) {
            BatchBuilder.SampleView a = BatchBuilder.view(test, i, null);
            BatchBuilder.SampleView b = view(i, kind, 0);
            assertEquals(a.textLength, b.textLength);
            assertArrayEquals(a.textIds, b.textIds);
            assertTrue(Arrays.deepEquals(a.textFeatures, b.textFeatures));
            assertTrue(Arrays.deepEquals(a.audio, b.audio));
            assertTrue(Arrays.deepEquals(a.vision, b.vision));
        }
    }

    @Test
    void frameDropZeroesTheExpectedFractionOfValidFramesAndNeverPadding() {
        for (double p : new double[] {0.3, 0.5, 0.9}) {
            for (int i = 0; i < 20; i++) {
                BatchBuilder.SampleView clean = BatchBuilder.view(test, i, null);
                BatchBuilder.SampleView v = view(i, Perturbation.Kind.AUDIO_DROP, p);
                int zero = 0;
                for (int t = 0; t < v.audioLength; t++) {
                    boolean allZero = true;
                    for (float x : v.audio[t]) {
                        allZero &= x == 0f;
                    }
                    zero += allZero ? 1 : 0;
                    if (!allZero) {
                        assertArrayEquals(clean.audio[t], v.audio[t], "kept frames unchanged");
                    }
                }
                assertEquals(Math.round(p * v.audioLength), zero, "sample " + i + ", p=" + p);
                assertTrue(Arrays.deepEquals(clean.vision, v.vision), "vision untouched");
            }
        }
        BatchBuilder builder = new BatchBuilder(test, false, Perturbations.test(
                List.of(new Perturbation(Perturbation.Kind.AUDIO_DROP, 0.5)), 9, 1));
        try (Batch b = builder.build(manager, new int[] {0, 1, 2})) {
            float[] a = b.audio.data().toFloatArray();
            long len = b.audio.data().getShape().get(1);
            for (int k = 0; k < 3; k++) {
                for (long t = test.audioLengths[k]; t < len; t++) {
                    for (int d = 0; d < 5; d++) {
                        assertEquals(0f, a[(int) ((k * len + t) * 5 + d)], "padding stays zero");
                    }
                }
            }
        }
    }

    @Test
    void wordDropAndShuffleKeepClsAndSep() {
        int i = 3;
        BatchBuilder.SampleView clean = BatchBuilder.view(test, i, null);
        int words = clean.textLength - 2;
        BatchBuilder.SampleView drop = view(i, Perturbation.Kind.TEXT_DROP, 0.5);
        int dropped = 0;
        for (int t = 1; t <= words; t++) {
            if (drop.textIds[t] != clean.textIds[t]) {
                assertEquals(1, drop.textIds[t], "dropped words become [UNK]");
                assertTrue(Arrays.equals(new float[clean.textFeatures[t].length], drop.textFeatures[t]), "and zero features");
                dropped++;
            }
        }
        assertEquals(Math.round(0.5 * words), dropped + countUnknownAlready(clean, words, drop));
        assertEquals(SyntheticGenerator.CLS, drop.textIds[0]);
        assertEquals(SyntheticGenerator.SEP, drop.textIds[clean.textLength - 1]);
        BatchBuilder.SampleView shuffled = view(i, Perturbation.Kind.TEXT_SHUFFLE, 1.0);
        int[] a = Arrays.copyOfRange(clean.textIds, 1, words + 1);
        int[] b = Arrays.copyOfRange(shuffled.textIds, 1, words + 1);
        assertNotEquals(Arrays.toString(a), Arrays.toString(b), "order changed");
        Arrays.sort(a);
        Arrays.sort(b);
        assertArrayEquals(a, b, "same words");
        assertEquals(SyntheticGenerator.CLS, shuffled.textIds[0]);
        assertEquals(SyntheticGenerator.SEP, shuffled.textIds[clean.textLength - 1]);
        for (int t = 0; t < clean.textLength; t++) {
            int from = indexOf(clean.textFeatures, shuffled.textFeatures[t]);
            assertEquals(shuffled.textIds[t], clean.textIds[from], "features move with their words");
        }
    }

    private static int countUnknownAlready(BatchBuilder.SampleView clean, int words, BatchBuilder.SampleView drop) {
        int n = 0;
        for (int t = 1; t <= words; t++) {
            n += clean.textIds[t] == 1 && drop.textIds[t] == 1 ? 1 : 0;
        }
        return n;
    }

    private static int indexOf(float[][] rows, float[] row) {
        for (int k = 0; k < rows.length; k++) {
            if (Arrays.equals(rows[k], row)) {
                return k;
            }
        }
        return -1;
    }

    @Test
    void noiseHasTheRequestedStdInFeatureUnits() {
        double sumSq = 0;
        double featSum = 0;
        double featSq = 0;
        long n = 0;
        for (int i = 0; i < test.size(); i++) {
            BatchBuilder.SampleView clean = BatchBuilder.view(test, i, null);
            BatchBuilder.SampleView v = view(i, Perturbation.Kind.VISION_NOISE, 0.5);
            for (int t = 0; t < v.visionLength; t++) {
                double diff = v.vision[t][4] - clean.vision[t][4];
                sumSq += diff * diff;
                featSum += clean.vision[t][4];
                featSq += clean.vision[t][4] * (double) clean.vision[t][4];
                n++;
            }
        }
        double noiseStd = Math.sqrt(sumSq / n);
        double featureStd = Math.sqrt(featSq / n - (featSum / n) * (featSum / n));
        assertEquals(0.5, noiseStd / featureStd, 0.03, "noise std = p times the feature's std");
    }

    @Test
    void blurIsAMovingAverageOverValidFrames() {
        float[][] frames = {{0}, {10}, {20}, {30}, {40}};
        Perturbations.blur(frames, 4, 0.2); // width 3
        assertArrayEquals(new float[] {5}, frames[0], 1e-6f, "truncated window at the start");
        assertArrayEquals(new float[] {10}, frames[1], 1e-6f);
        assertArrayEquals(new float[] {25}, frames[3], 1e-6f, "window ends at the last valid frame");
        assertArrayEquals(new float[] {40}, frames[4], 1e-6f, "beyond the valid length: untouched");
    }

    @Test
    void conflictSwapsInTheModalityOfASampleOfOppositePolarity() {
        int replaced = 0;
        for (int i = 0; i < test.size(); i++) {
            if (test.labels[i] == 0) {
                continue;
            }
            BatchBuilder.SampleView v = view(i, Perturbation.Kind.AUDIO_CONFLICT, 1.0);
            BatchBuilder.SampleView clean = BatchBuilder.view(test, i, null);
            assertTrue(Arrays.deepEquals(clean.vision, v.vision), "only audio changes");
            int donor = -1;
            for (int d = 0; d < test.size(); d++) {
                if (test.audioLengths[d] == v.audioLength
                        && Arrays.deepEquals(test.audio.frames(d, 0, test.audioLengths[d]), v.audio)) {
                    donor = d;
                }
            }
            assertTrue(donor >= 0, "audio comes from another sample");
            assertTrue(Math.signum(test.labels[donor]) == -Math.signum(test.labels[i]), "of opposite polarity");
            replaced++;
        }
        assertTrue(replaced > 50);
    }

    @Test
    void specsParseAndBadOnesAreRejected() {
        List<Perturbation> list = Perturbation.parseList("audio-drop:0.3, text-shuffle:0.2");
        assertEquals(2, list.size());
        assertEquals(Perturbation.Kind.TEXT_SHUFFLE, list.get(1).kind());
        assertTrue(assertThrows(ConfigException.class, () -> Perturbation.parseList("audio-dropp:0.3")).getMessage()
                .contains("unknown perturbation"));
        assertTrue(assertThrows(ConfigException.class, () -> Perturbation.parseList("audio-drop:1.5")).getMessage()
                .contains("[0, 1]"));
        assertTrue(Perturbation.parseList("").isEmpty());
    }
}
