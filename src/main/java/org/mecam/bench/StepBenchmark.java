package org.mecam.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.BertSize;
import org.mecam.config.Preset;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.synthetic.FullLengthData;
import org.mecam.engine.NativeRuntime;
import org.mecam.engine.NoGrad;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.model.MecamModel;
import org.mecam.train.Trainer;

/**
 * Times training steps (stage 0 + stage 1, including the optimizer steps) and evaluation steps
 * of one configuration on full-length random batches, in this process.
 */
public final class StepBenchmark {

    private StepBenchmark() {}

    /** Step times of one configuration, in milliseconds. */
    public record Result(String name, String mode, String fusion, String shape, int batchSize,
            List<Double> trainMs, List<Double> stage0Ms, List<Double> stage1Ms, List<Double> evalMs, List<Double> batchMs,
            double runAheadMs, Map<String, Object> profile) {

        /** @return medians and the raw lists, for JSON */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("mode", mode);
            m.put("fusion", fusion);
            m.put("shape", shape);
            m.put("batch", batchSize);
            m.put("train_step_median_ms", median(trainMs));
            m.put("stage0_median_ms", median(stage0Ms));
            m.put("stage1_median_ms", median(stage1Ms));
            m.put("eval_step_median_ms", median(evalMs));
            m.put("batch_build_median_ms", median(batchMs));
            m.put("train_step_run_ahead_ms", runAheadMs);
            m.put("train_ms", trainMs);
            m.put("eval_ms", evalMs);
            if (profile != null) {
                m.put("profile", profile);
            }
            return m;
        }
    }

    /** @return the entry name, e.g. {@code features-attention-mosi-unaligned} */
    public static String name(TextMode mode, String fusion, Preset shape) {
        return mode.key() + "-" + fusion + "-" + shape.key();
    }

    /**
     * @param mode features or bert (bert-base)
     * @param fusion the fusion
     * @param shape aligned ({@code mosi}) or unaligned ({@code mosi-unaligned}) shapes
     * @param warmup untimed steps first
     * @param steps timed steps
     */
    public static Result run(TextMode mode, String fusion, Preset shape, int batchSize, int warmup, int steps,
            int threads, String device) {
        return run(mode, fusion, shape, batchSize, warmup, steps, threads, device, null);
    }

    /**
     * As {@link #run(TextMode, String, Preset, int, int, int, int, String)}; with {@code trace}
     * not null, then runs {@code steps} more training steps under libtorch's profiler, writes its
     * trace there and adds the summary ({@link StepProfile}).
     */
    public static Result run(TextMode mode, String fusion, Preset shape, int batchSize, int warmup, int steps,
            int threads, String device, java.nio.file.Path trace) {
        NativeRuntime.start(threads);
        RunConfig c = new RunConfig();
        c.device = device;
        c.textMode = mode;
        c.bertSize = BertSize.BASE;
        c.fusion = fusion;
        c.preset = shape;
        c.batchSize = batchSize;
        int n = batchSize * Math.min(warmup + steps, 8);
        MultimodalDataset data = FullLengthData.of(shape, n, mode == TextMode.BERT ? 30522 : 2000, 3);
        List<Double> train = new ArrayList<>();
        List<Double> stage0 = new ArrayList<>();
        List<Double> stage1 = new ArrayList<>();
        List<Double> eval = new ArrayList<>();
        List<Double> build = new ArrayList<>();
        double runAheadMs;
        Map<String, Object> profile = null;
        try (TrainedRun run = TrainedRun.fresh(c, data, 1)) {
            NDManager manager = run.manager();
            MecamModel model = run.model();
            BatchBuilder builder = new BatchBuilder(data.train(), mode != TextMode.FEATURES, null);
            List<int[]> plan = BatchBuilder.plan(n, batchSize, null);
            ParameterStore ps = new ParameterStore(manager, false);
            try (Trainer trainer = new Trainer(c.training(), model, data, manager, null, null)) {
                for (int i = 0; i < warmup + steps; i++) {
                    int[] idx = plan.get(i % plan.size());
                    long b0 = System.nanoTime();
                    Batch batch = builder.build(manager, idx);
                    long t0 = System.nanoTime();
                    trainer.stage0Step(batch, 1, i);
                    long t1 = System.nanoTime();
                    trainer.stage1Step(batch, 1, i);
                    finish(model);
                    long t2 = System.nanoTime();
                    batch.close();
                    double evalMs;
                    try (Batch eb = builder.build(manager, idx); NoGrad ignored = NoGrad.enter()) {
                        long e0 = System.nanoTime();
                        model.forward(ps, eb, false).prediction().toFloatArray();
                        evalMs = (System.nanoTime() - e0) / 1e6;
                    }
                    if (i >= warmup) {
                        build.add((t0 - b0) / 1e6);
                        stage0.add((t1 - t0) / 1e6);
                        stage1.add((t2 - t1) / 1e6);
                        train.add((t2 - t0) / 1e6);
                        eval.add(evalMs);
                    }
                }
                runAheadMs = runAhead(trainer, model, builder, manager, plan, steps);
                if (trace != null) {
                    StepProfile.start();
                    long p0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        try (Batch batch = builder.build(manager, plan.get(i % plan.size()))) {
                            trainer.stage0Step(batch, 1, i);
                            trainer.stage1Step(batch, 1, i);
                        }
                    }
                    finish(model);
                    profile = StepProfile.stop(trace, (System.nanoTime() - p0) / 1e6, steps);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new Result(name(mode, fusion, shape), mode.key(), fusion, shape.key(), batchSize, train, stage0,
                stage1, eval, build, runAheadMs, profile);
    }

    /**
     * The mean time of a training step when the host does not wait for each: {@code steps}
     * steps (both stages) on batches built and prepared beforehand, their values read back once
     * at the end, as training does between reads ({@link Trainer#setReadback}). On a GPU the
     * host queues the next step's work while the device runs the last one; on the CPU it equals
     * the step time.
     */
    private static double runAhead(Trainer trainer, MecamModel model, BatchBuilder builder, NDManager manager,
            List<int[]> plan, int steps) {
        List<Batch> batches = new ArrayList<>();
        int closed = 0;
        try {
            for (int i = 0; i < steps; i++) {
                Batch b = builder.build(manager, plan.get(i % plan.size()));
                batches.add(b);
                model.prepare(b);
            }
            finish(model);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                trainer.stage0Deferred(batches.get(i), 1, i);
                trainer.stage1Deferred(batches.get(i), 1, i);
                batches.get(i).close(); // frees the step's intermediates, as training does
                closed++;
            }
            trainer.readBack();
            finish(model);
            return (System.nanoTime() - t0) / 1e6 / steps;
        } finally {
            batches.subList(closed, batches.size()).forEach(Batch::close);
        }
    }

    /**
     * Waits for the device's queued work (the optimizer step is asynchronous on a GPU) by reading
     * one weight back; on the CPU every op has finished already.
     */
    private static void finish(MecamModel model) {
        NDArray w = model.getParameters().valueAt(0).getArray();
        if (!w.getDevice().equals(ai.djl.Device.cpu())) {
            w.get(0).toFloatArray();
        }
    }

    /** @return the median (NaN for an empty list) */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int k = sorted.size();
        return k % 2 == 1 ? sorted.get(k / 2) : (sorted.get(k / 2 - 1) + sorted.get(k / 2)) / 2;
    }
}
