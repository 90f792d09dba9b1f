package org.mecam.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.data.FloatTensor3;
import org.mecam.data.MappedFrames;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;

/** Synthetic data written in the MMSA layout reads back identically, float32 arrays mapped in place. */
class MmsaRoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void syntheticThroughPickleAndBack() throws IOException {
        MultimodalDataset original = new SyntheticGenerator(SyntheticSpec.of(TestSupport.tiny())).generate();
        Path file = tmp.resolve("synthetic_unaligned_16.pkl");
        MmsaExport.write(original, file);
        MultimodalDataset features = MmsaReader.read(file, true, false);
        MultimodalDataset ids = MmsaReader.read(file, false, true);
        for (int k = 0; k < 3; k++) {
            Split a = original.splits().get(k);
            Split b = features.splits().get(k);
            assertInstanceOf(MappedFrames.class, b.textFeatures, "float32 C-order arrays are mapped, not copied");
            if (a.audio.bytes() >= org.mecam.data.io.pickle.PickleReader.LAZY_BYTES) {
                assertInstanceOf(MappedFrames.class, b.audio, "large payloads are mapped");
            } else {
                assertInstanceOf(FloatTensor3.class, b.audio, "small payloads are read with the pickle");
            }
            assertArrayEquals(a.labels, b.labels);
            assertArrayEquals(a.textLengths, b.textLengths);
            assertArrayEquals(a.audioLengths, b.audioLengths);
            assertArrayEquals(a.visionLengths, b.visionLengths);
            assertArrayEquals(a.ids, b.ids);
            for (int i = 0; i < a.size(); i += 37) {
                for (int t = 0; t < a.textLengths[i]; t++) {
                    assertArrayEquals(a.textFeatures.frames(i, 0, a.textLengths[i])[t], b.textFeatures.frames(i, 0, b.textLengths[i])[t]);
                }
                assertArrayEquals(a.audio.frames(i, 0, a.audioLengths[i])[a.audioLengths[i] - 1],
                        b.audio.frames(i, 0, b.audioLengths[i])[b.audioLengths[i] - 1]);
                assertArrayEquals(a.vision.frames(i, 0, 1)[0], b.vision.frames(i, 0, 1)[0]);
            }
            assertArrayEquals(a.textIds, ids.splits().get(k).textIds);
        }
        assertEquals(original.info().audioLen(), features.info().audioLen());
        assertEquals(original.info().textFeatureDim(), features.info().textFeatureDim());
    }
}
