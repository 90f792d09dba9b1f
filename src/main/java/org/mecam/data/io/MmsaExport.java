package org.mecam.data.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.data.FrameStore;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.io.pickle.PickleWriter;

/**
 * Writes a dataset in MMSA's {@code unaligned_50.pkl} layout (right-padded float32 arrays, text
 * features and {@code text_bert}, lengths, ids, labels), readable by numpy and by {@link
 * MmsaReader}. The file is written next to the target and renamed into place when complete.
 */
public final class MmsaExport {

    private MmsaExport() {}

    /** Writes {@code data} to {@code file}. */
    public static void write(MultimodalDataset data, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(tmp); PickleWriter w = new PickleWriter(out)) {
            Map<Object, Object> root = new LinkedHashMap<>();
            for (int k = 0; k < 3; k++) {
                root.put(PickleData.SPLITS.get(k), split(data.splits().get(k)));
            }
            w.dump(root);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static Map<Object, Object> split(Split s) {
        int n = s.size();
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("raw_text", strings(s.rawText != null ? s.rawText : tokenText(s)));
        m.put("audio", frames(s.audio, s.audioLengths, s.audioStart));
        m.put("vision", frames(s.vision, s.visionLengths, s.visionStart));
        if (s.textFeatures != null) {
            m.put("text", frames(s.textFeatures, s.textLengths, s.textStart));
        }
        if (s.textIds != null) {
            m.put("text_bert", textBert(s));
        }
        m.put("audio_lengths", longs(s.audioLengths));
        m.put("vision_lengths", longs(s.visionLengths));
        m.put("id", strings(s.ids));
        m.put("regression_labels", floats(s.labels, new long[] {n}));
        List<Object> annotations = new ArrayList<>();
        for (float y : s.labels) {
            annotations.add(y > 0 ? "Positive" : y < 0 ? "Negative" : "Neutral");
        }
        m.put("annotations", annotations);
        return m;
    }

    private static List<Object> strings(String[] values) {
        return new ArrayList<>(Arrays.asList((Object[]) values));
    }

    private static String[] tokenText(Split s) {
        String[] out = new String[s.size()];
        for (int i = 0; i < out.length; i++) {
            StringBuilder sb = new StringBuilder();
            for (int t = 1; s.textIds != null && t < s.textLengths[i] - 1; t++) {
                sb.append(t > 1 ? " " : "").append("w").append(s.tokenId(i, t));
            }
            out[i] = sb.toString();
        }
        return out;
    }

    /** [N, 3, Lt] int64: token ids, attention mask, segment ids. */
    private static PickleWriter.Array textBert(Split s) {
        int n = s.size();
        int len = s.textLen;
        long[] v = new long[n * 3 * len];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < len; t++) {
                v[(i * 3) * len + t] = s.tokenId(i, t);
                v[(i * 3 + 1) * len + t] = t < s.textLengths[i] ? 1 : 0;
            }
        }
        return PickleWriter.longs(new long[] {n, 3, len}, v);
    }

    private static PickleWriter.Array longs(int[] values) {
        return PickleWriter.longs(new long[] {values.length}, Arrays.stream(values).asLongStream().toArray());
    }

    private static PickleWriter.Array floats(float[] values, long[] shape) {
        return PickleWriter.floats(shape, values);
    }

    /** [N, L, D] float32, each sample's valid frames first (right padding), streamed sample by sample. */
    private static PickleWriter.Array frames(FrameStore store, int[] lengths, int[] starts) {
        int n = store.size();
        int len = store.length();
        int dim = store.dim();
        return PickleWriter.array("<f4", new long[] {n, len, dim}, 4L * n * len * dim, out -> {
            ByteBuffer b = ByteBuffer.allocate(len * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer f = b.asFloatBuffer();
            for (int i = 0; i < n; i++) {
                Arrays.fill(b.array(), (byte) 0);
                f.clear();
                store.copyFrames(i, starts[i], lengths[i], f);
                out.write(b.array());
            }
        });
    }
}
