package org.mecam.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.Preset;
import org.mecam.config.RunConfig;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;

/** The synthetic generator and batching. */
@ExtendWith(NDManagerExtension.class)
class SyntheticDataTest {

    @NDManagerExtension.Managed
    static NDManager manager;

    @Test
    void presetsHaveMosiShapesAndSizes() {
        SyntheticSpec mosi = SyntheticSpec.preset(Preset.MOSI, 0.3, 1);
        assertEquals(1284, mosi.trainSize());
        assertEquals(229, mosi.validSize());
        assertEquals(686, mosi.testSize());
        assertEquals(50, mosi.textLen());
        assertEquals(50, mosi.audioLen());
        assertEquals(768, mosi.textDim());
        SyntheticSpec unaligned = SyntheticSpec.preset(Preset.MOSI_UNALIGNED, 0.3, 1);
        assertEquals(375, unaligned.audioLen());
        assertEquals(500, unaligned.visionLen());
        assertFalse(unaligned.aligned());
    }

    @Test
    void deterministicPerSeedAndSampleIndependentOfSplitSize() {
        RunConfig c = TestSupport.tiny();
        Split a = new SyntheticGenerator(SyntheticSpec.of(c)).generate().test();
        Split b = new SyntheticGenerator(SyntheticSpec.of(c)).generate().test();
        assertArrayEquals(a.labels, b.labels);
        assertArrayEquals(a.textIds, b.textIds);
        assertEquals(a.audio.get(3, 2, 1), b.audio.get(3, 2, 1));
        c.testSize = 10;
        Split small = new SyntheticGenerator(SyntheticSpec.of(c)).generate().test();
        assertArrayEquals(Arrays.copyOf(a.labels, 10), small.labels);
        c.dataSeed = 8;
        Split other = new SyntheticGenerator(SyntheticSpec.of(c)).generate().test();
        assertFalse(Arrays.equals(Arrays.copyOf(a.labels, 10), other.labels));
    }

    @Test
    void labelsAreAnnotatorMeansInRangeAndLengthsValid() {
        SyntheticSpec spec = SyntheticSpec.of(TestSupport.tiny());
        MultimodalDataset data = new SyntheticGenerator(spec).generate();
        int zeros = 0;
        int positive = 0;
        for (Split s : data.splits()) {
            s.check();
            for (int i = 0; i < s.size(); i++) {
                float y = s.labels[i];
                assertTrue(y >= -3 && y <= 3);
                assertEquals(Math.round(y * 5), y * 5, 1e-4, "steps of 0.2");
                zeros += y == 0 ? 1 : 0;
                positive += y > 0 ? 1 : 0;
                assertEquals(SyntheticGenerator.CLS, s.tokenId(i, 0));
                assertEquals(SyntheticGenerator.SEP, s.tokenId(i, s.textLengths[i] - 1));
                for (int t = s.textLengths[i]; t < s.textLen; t++) {
                    assertEquals(SyntheticGenerator.PAD, s.tokenId(i, t), "right padding");
                    assertEquals(0f, s.textFeatures.get(i, t, 0));
                }
            }
        }
        int n = 512 + 64 + 128;
        assertTrue(zeros > 0 && zeros < n / 5, "some neutral labels: " + zeros);
        assertTrue(positive > n / 3 && positive < 2 * n / 3, "balanced polarity: " + positive);
    }

    @Test
    void negativeInformationIsRecordedAndAppliedToTheRecordedModality() {
        RunConfig c = TestSupport.tiny("negativeFraction=0.5", "trainSize=2000");
        SyntheticGenerator gen = new SyntheticGenerator(SyntheticSpec.of(c));
        Split s = gen.generate().train();
        Map<NegativeInfo, Integer> counts = new EnumMap<>(NegativeInfo.class);
        for (int i = 0; i < s.size(); i++) {
            counts.merge(s.negative[i], 1, Integer::sum);
            switch (s.negative[i]) {
                case NONE:
                    assertEquals(NegativeInfo.MOD_NONE, s.negativeModality[i]);
                    break;
                case SHUFFLE:
                    assertEquals(NegativeInfo.MOD_TEXT, s.negativeModality[i]);
                    break;
                case DROP:
                    FrameStore frames = s.negativeModality[i] == NegativeInfo.MOD_AUDIO ? s.audio : s.vision;
                    int len = s.negativeModality[i] == NegativeInfo.MOD_AUDIO ? s.audioLengths[i] : s.visionLengths[i];
                    int zeroFrames = 0;
                    for (int t = 0; t < len; t++) {
                        zeroFrames += frames.get(i, t, 0) == 0f ? 1 : 0;
                    }
                    assertTrue(zeroFrames > 0, "dropped frames are zeroed");
                    break;
                default:
                    assertTrue(s.negativeModality[i] >= 1 && s.negativeModality[i] <= 3);
            }
        }
        int affected = s.size() - counts.get(NegativeInfo.NONE);
        assertEquals(0.5, affected / (double) s.size(), 0.05);
        for (NegativeInfo kind : NegativeInfo.values()) {
            if (kind == NegativeInfo.GARBLE) {
                assertEquals(0, counts.getOrDefault(kind, 0), "garbled tokens are the complementary preset's");
            } else {
                assertTrue(counts.getOrDefault(kind, 0) > 100, "kind " + kind + " occurs");
            }
        }
    }

    @Test
    void textConflictSamplesExpressTheOppositeSentiment() {
        RunConfig c = TestSupport.tiny("negativeFraction=1", "trainSize=3000");
        SyntheticGenerator gen = new SyntheticGenerator(SyntheticSpec.of(c));
        Split s = gen.generate().train();
        int agree = 0;
        int conflicts = 0;
        for (int i = 0; i < s.size(); i++) {
            if (s.negative[i] == NegativeInfo.CONFLICT && s.negativeModality[i] == NegativeInfo.MOD_TEXT
                    && Math.abs(s.latent[i]) > 1) {
                conflicts++;
                int sum = 0;
                for (int t = 1; t < s.textLengths[i] - 1; t++) {
                    int v = gen.wordValue(s.tokenId(i, t));
                    sum += s.tokenId(i, t - 1) == SyntheticGenerator.NOT ? -v : v;
                }
                agree += Math.signum(sum) == Math.signum(s.latent[i]) ? 1 : 0;
            }
        }
        assertTrue(conflicts > 50);
        assertTrue(agree < conflicts * 0.2, "text of conflict samples contradicts the label: " + agree + "/" + conflicts);
    }

    @Test
    void batchesAreTrimmedToTheLongestValidSequenceWithMasks() {
        Split s = new SyntheticGenerator(SyntheticSpec.of(TestSupport.tiny())).generate().train();
        BatchBuilder builder = new BatchBuilder(s, false, null);
        int[] idx = {0, 1, 2};
        int maxText = Math.max(s.textLengths[0], Math.max(s.textLengths[1], s.textLengths[2]));
        try (Batch b = builder.build(manager, idx)) {
            assertEquals(new Shape(3, maxText, s.textFeatures.dim()), b.text.data().getShape());
            float[] mask = b.text.mask().toFloatArray();
            for (int k = 0; k < 3; k++) {
                for (int t = 0; t < maxText; t++) {
                    assertEquals(t < s.textLengths[k] ? 1f : 0f, mask[k * maxText + t]);
                }
            }
            assertArrayEquals(new long[] {s.audioLengths[0] - 1, s.audioLengths[1] - 1, s.audioLengths[2] - 1},
                    b.audio.last().toLongArray());
            assertEquals(s.audio.get(1, 0, 2), b.audio.data().getFloat(1, 0, 2));
            assertArrayEquals(new float[] {s.labels[0], s.labels[1], s.labels[2]}, b.labels.toFloatArray());
        }
        BatchBuilder ids = new BatchBuilder(s, true, null);
        try (Batch b = ids.build(manager, idx)) {
            assertEquals(new Shape(3, maxText), b.text.data().getShape());
            assertEquals(SyntheticGenerator.CLS, b.text.data().getLong(0, 0));
        }
        assertNotEquals(BatchBuilder.plan(100, 32, new java.util.Random(1)).get(0)[0],
                BatchBuilder.plan(100, 32, null).get(0)[0] + 1000);
        assertEquals(4, BatchBuilder.plan(100, 32, null).size(), "last partial batch kept");
    }
}
