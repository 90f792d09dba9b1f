package org.mecam.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.io.MmsaReader;
import org.mecam.data.io.pickle.PickleWriter;

/**
 * Loading real-scale dataset files: writes MMSA-layout pickles at CMU-MOSI / CMU-MOSEI
 * unaligned shapes (streamed, so that even MOSEI's 8.5 GB never sits in memory) and measures
 * loading them in this process: the load call, the load plus one read of every frame, and the
 * peak heap against the bytes of the arrays kept.
 */
public final class DataLoadBenchmark {

    private DataLoadBenchmark() {}

    /**
     * Shapes of a dataset file.
     *
     * @param name e.g. {@code mosei-unaligned}
     * @param sizes train / valid / test samples
     */
    public record Shapes(String name, int[] sizes, int textLen, int textDim, int audioLen, int audioDim, int visionLen,
            int visionDim) {}

    /** CMU-MOSI, MMSA unaligned_50: text 50x768, audio 375x5, vision 500x20. */
    public static final Shapes MOSI_UNALIGNED = new Shapes("mosi-unaligned", new int[] {1284, 229, 686}, 50, 768, 375, 5,
            500, 20);
    /** CMU-MOSEI, MMSA unaligned_50: text 50x768, audio 500x74, vision 500x35 (train text alone is 2.5 GB). */
    public static final Shapes MOSEI_UNALIGNED = new Shapes("mosei-unaligned", new int[] {16326, 1871, 4659}, 50, 768,
            500, 74, 500, 35);

    /** Writes an MMSA-layout file of random data at the given shapes, with random valid lengths. */
    public static void write(Shapes shapes, Path file, long seed) throws IOException {
        String[] names = {"train", "valid", "test"};
        Map<Object, Object> root = new LinkedHashMap<>();
        for (int k = 0; k < 3; k++) {
            root.put(names[k], split(shapes, shapes.sizes()[k], seed + k));
        }
        try (OutputStream out = Files.newOutputStream(file); PickleWriter w = new PickleWriter(out)) {
            w.dump(root);
        }
    }

    private static Map<Object, Object> split(Shapes s, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] textLengths = lengths(rng, n, s.textLen());
        long[] audioLengths = lengths(rng, n, s.audioLen());
        long[] visionLengths = lengths(rng, n, s.visionLen());
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("text", frames(n, s.textLen(), s.textDim(), textLengths, seed * 31 + 1));
        long[] bert = new long[n * 3 * s.textLen()];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < textLengths[i]; t++) {
                bert[(i * 3) * s.textLen() + t] = 1000 + rng.nextInt(20000);
                bert[(i * 3 + 1) * s.textLen() + t] = 1;
            }
        }
        m.put("text_bert", PickleWriter.longs(new long[] {n, 3, s.textLen()}, bert));
        m.put("audio", frames(n, s.audioLen(), s.audioDim(), audioLengths, seed * 31 + 2));
        m.put("vision", frames(n, s.visionLen(), s.visionDim(), visionLengths, seed * 31 + 3));
        m.put("audio_lengths", PickleWriter.longs(new long[] {n}, audioLengths));
        m.put("vision_lengths", PickleWriter.longs(new long[] {n}, visionLengths));
        float[] labels = new float[n];
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = Math.round((rng.nextDouble() * 6 - 3) * 5) / 5f;
            ids.add("video" + i / 8 + "$_$" + i % 8);
        }
        m.put("regression_labels", PickleWriter.floats(new long[] {n}, labels));
        m.put("id", ids);
        return m;
    }

    private static long[] lengths(SplittableRandom rng, int n, int max) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + rng.nextInt(max);
        }
        return out;
    }

    /** Right-padded random frames, generated while streaming (xorshift, values in [-2, 2)). */
    private static PickleWriter.Array frames(int n, int len, int dim, long[] lengths, long seed) {
        return PickleWriter.array("<f4", new long[] {n, len, dim}, 4L * n * len * dim, out -> {
            ByteBuffer b = ByteBuffer.allocate(len * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer f = b.asFloatBuffer();
            long x = seed | 1;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < len * dim; k++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    f.put(k, k < lengths[i] * dim ? ((x >>> 40) / (float) (1 << 22)) - 2f : 0f);
                }
                out.write(b.array());
            }
        });
    }

    /**
     * Loads a file as {@code train --dataset mmsa} does in feature mode and reads every frame once.
     *
     * @return load seconds, load-and-read seconds, peak heap bytes, bytes of the arrays kept
     */
    public static Map<String, Object> measure(Path file) {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        long start = System.nanoTime();
        MultimodalDataset data = MmsaReader.read(file, true, false);
        double load = (System.nanoTime() - start) / 1e9;
        long kept = 0;
        double checksum = 0;
        FloatBuffer buf = FloatBuffer.allocate(1 << 20);
        for (Split s : data.splits()) {
            kept += 4L * s.labels.length + 8L * (s.textLengths.length + s.audioLengths.length + s.visionLengths.length);
            for (FrameStore f : new FrameStore[] {s.textFeatures, s.audio, s.vision}) {
                kept += f.bytes();
                for (int i = 0; i < f.size(); i++) {
                    buf.clear();
                    f.copyFrames(i, 0, f.length(), buf);
                    checksum += buf.get(0);
                }
            }
        }
        double touch = (System.nanoTime() - start) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("load_seconds", load);
        m.put("load_and_read_all_seconds", touch);
        m.put("heap_peak_bytes", peak);
        m.put("arrays_kept_bytes", kept);
        m.put("checksum", checksum);
        return m;
    }
}
