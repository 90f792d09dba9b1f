package org.mecam.experiment.protocol;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigJson;
import org.mecam.config.Modality;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.NoGrad;
import org.mecam.experiment.run.RunFiles;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.model.MecamModel;

/**
 * Looks inside a trained run: each modality's utterance representation on the test split
 * before the contrastive filter (the encoder output h) and after it (z = normalize(W h), the
 * space the filter shapes), and one sample's talking-heads attention weights.
 *
 * @param before modality to [n][d] encoder outputs
 * @param after modality to [n][c] filtered projections (absent when the run has no filter)
 * @param labels sentiment of the n samples
 * @param attention modality (audio, vision) to [valid frames][valid tokens] weights of one sample, mean over heads
 * @param sampleId the id of that sample
 */
public record RepresentationProbe(Map<Modality, float[][]> before, Map<Modality, float[][]> after, float[] labels,
        Map<Modality, float[][]> attention, String sampleId) {

    /**
     * @param runDir a finished MECAM run (config.json and checkpoint/model.npz)
     * @param maxSamples at most this many test samples
     * @return the probe, or null for runs of other methods or fusions without encoders
     */
    public static RepresentationProbe of(Path runDir, int maxSamples) {
        RunConfig c = ConfigJson.load(runDir.resolve(RunFiles.CONFIG).toString());
        if (!c.methodKind().trainsNeuralModel() || !c.fusionKind().hasModalityEncoders()) {
            return null;
        }
        try (TrainedRun run = TrainedRun.open(runDir); NoGrad ignored = NoGrad.enter()) {
            MultimodalDataset data = run.data();
            int n = Math.min(maxSamples, data.test().size());
            NDManager manager = run.manager();
            MecamModel model = run.model();
            ParameterStore ps = new ParameterStore(manager, false);
            BatchBuilder builder = run.batches(data.test(), null);
            Map<Modality, float[][]> before = new LinkedHashMap<>();
            Map<Modality, float[][]> after = new LinkedHashMap<>();
            for (Modality m : Modality.parse(c.modalities)) {
                before.put(m, new float[n][]);
            }
            int at = 0;
            for (int[] idx : BatchBuilder.plan(n, c.batchSize, null)) {
                try (Batch b = builder.build(manager, idx)) {
                    MecamModel.Encoded enc = model.encode(ps, b, false);
                    for (Modality m : Modality.parse(c.modalities)) {
                        NDArray h = enc.vector(m);
                        copyRows(h, before.get(m), at);
                        NDArray z = model.contrastEmbedding(ps, m, h);
                        if (z != null) {
                            copyRows(z, after.computeIfAbsent(m, k -> new float[n][]), at);
                        }
                    }
                }
                at += idx.length;
            }
            Map<Modality, float[][]> attention = new LinkedHashMap<>();
            int sample = longestSample(data, n);
            try (Batch b = builder.build(manager, new int[] {sample})) {
                MecamModel.Output out = model.fuse(ps, b, model.encode(ps, b, false), false, true);
                for (Map.Entry<Modality, NDArray> e : out.attention().entrySet()) {
                    attention.put(e.getKey(), meanOverHeads(e.getValue()));
                }
            }
            float[] labels = java.util.Arrays.copyOf(data.test().labels, n);
            return new RepresentationProbe(before, after, labels, attention, data.test().ids[sample]);
        }
    }

    private static void copyRows(NDArray x, float[][] dst, int at) {
        long rows = x.getShape().get(0);
        int width = (int) x.getShape().get(1);
        float[] v = x.toFloatArray();
        for (int r = 0; r < rows; r++) {
            dst[at + r] = java.util.Arrays.copyOfRange(v, r * width, (r + 1) * width);
        }
    }

    /** A sample with a long text, so that the heat map shows structure. */
    private static int longestSample(MultimodalDataset data, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (data.test().textLengths[i] > data.test().textLengths[best]) {
                best = i;
            }
        }
        return best;
    }

    /** @return [frames][tokens] of weights [1, h, frames, tokens] */
    public static float[][] meanOverHeads(NDArray weights) {
        List<Long> s = java.util.Arrays.stream(weights.getShape().getShape()).boxed().toList();
        int heads = s.get(1).intValue();
        int frames = s.get(2).intValue();
        int tokens = s.get(3).intValue();
        float[] v = weights.toFloatArray();
        float[][] out = new float[frames][tokens];
        for (int h = 0; h < heads; h++) {
            for (int f = 0; f < frames; f++) {
                for (int t = 0; t < tokens; t++) {
                    out[f][t] += v[(h * frames + f) * tokens + t] / heads;
                }
            }
        }
        return out;
    }
}
