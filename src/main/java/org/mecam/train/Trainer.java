package org.mecam.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mecam.config.TrainSettings;
import org.mecam.config.Selection;
import org.mecam.engine.Interruption;
import org.mecam.engine.NoGrad;
import org.mecam.eval.Inference;
import org.mecam.model.EntropyMemory;
import org.mecam.model.MecamModel;
import org.mecam.model.Ops;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;

/**
 * Trains a {@link MecamModel} as docs/METHOD.md ("Head, loss and training") describes. Each epoch runs stage 0 over the
 * training set (the MMILB estimators maximise lld; the encoders run without gradient, since the
 * published code computes and then discards their gradients in this stage), then stage 1 (the
 * main loss L1 + alpha nce - beta lld - beta H, with a one-batch entropy memory), then
 * validation. Each optimizer clips the global gradient norm of the parameters it steps.
 *
 * <p>Every NDArray of a step lives in that batch's manager and is freed when the batch closes.
 */
public final class Trainer implements AutoCloseable {

    private final TrainSettings config;
    private final MecamModel model;
    private final NDManager manager;
    private final ParameterStore ps;
    private final BatchBuilder train;
    private final BatchBuilder valid;
    private final BatchBuilder test;
    private final AdamOptimizer mmilbOptimizer;
    private final AdamOptimizer mainOptimizer;
    private final ReduceLrOnPlateau plateau;
    private final EntropyMemory memory;
    private final List<Parameter> allParameters = new ArrayList<>();
    private final Random shuffle;
    private final TrainingProgress listener;
    /** Whether the mutual-information terms (and stage 0) are on: beta > 0 and two modalities or more. */
    private final boolean mi;

    /**
     * @param config the run's configuration
     * @param model an initialised model
     * @param data the dataset
     * @param manager parent of every array the trainer creates
     * @param augmentation training-time perturbation of samples, or null
     * @param listener progress receiver
     */
    public Trainer(TrainSettings config, MecamModel model, MultimodalDataset data, NDManager manager,
            BatchBuilder.FrameTransform augmentation, TrainingProgress listener) {
        this.config = config;
        this.model = model;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
        boolean ids = config.textMode() != org.mecam.config.TextMode.FEATURES;
        this.train = new BatchBuilder(data.train(), ids, augmentation);
        this.valid = new BatchBuilder(data.valid(), ids, null);
        this.test = new BatchBuilder(data.test(), ids, null);
        this.mmilbOptimizer = new AdamOptimizer(manager, List.of(
                new AdamOptimizer.Group("mmilb", model.mmilbParameters(), config.lrMmilb(), config.weightDecayMmilb())));
        AdamOptimizer.Group bert = new AdamOptimizer.Group("bert", model.bertParameters(), config.lrBert(), config.weightDecayBert());
        AdamOptimizer.Group main = new AdamOptimizer.Group("main", model.mainParameters(), config.lrMain(), config.weightDecayMain());
        this.mainOptimizer = new AdamOptimizer(manager, List.of(bert, main));
        this.plateau = new ReduceLrOnPlateau(mainOptimizer.groups(), config.plateauPatience(), config.plateauFactor());
        this.memory = new EntropyMemory(manager);
        this.mi = config.beta() > 0 && model.hasMutualInformation();
        for (Pair<String, Parameter> p : model.getParameters()) {
            if (p.getValue().getArray().hasGradient()) {
                allParameters.add(p.getValue());
            }
        }
        this.shuffle = new Random(config.seed());
        this.listener = listener == null ? new TrainingProgress() {} : listener;
        if (config.beta() > 0 && !mi) {
            this.listener.onWarning("beta = " + config.beta() + " but the single modality '" + config.modalities()
                    + "' has no pair to estimate mutual information on: the mutual-information terms and stage 0 are off");
        }
    }

    /** Loss values of one stage-1 step, on the Java side. */
    public record StepLosses(double total, double task, double nce, double lld, double entropy, double gradNorm,
            Map<Character, Double> contrastive) {}

    /** Means of one epoch's stage 1. */
    private record Stage1(double task, double nce, double lld, double entropy, int entropySkipped, double total,
            double gradNorm, Map<Character, Double> contrastive) {}

    /**
     * Trains for up to {@code epochs}, keeps the best checkpoint by validation loss (or the
     * published test-leaky rule), and leaves its weights in the model. A non-finite loss ends
     * training early; the result then carries the diagnosis and the model the last good weights.
     */
    public FitResult fit() {
        List<EpochStats> epochs = new ArrayList<>();
        Map<Parameter, float[]> best = null;
        int bestEpoch = 0;
        double bestValid = Double.POSITIVE_INFINITY;
        double bestTest = Double.POSITIVE_INFINITY;
        int patienceLeft = config.patience();
        String stop = "reached " + config.epochs() + " epochs";
        boolean leaky = config.selection() == Selection.TEST_LEAKY;
        try {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                int batches = (mi ? 2 : 1) * BatchBuilder.plan(train.split().size(), config.batchSize(), null).size();
                listener.onEpochStart(epoch, config.epochs(), batches);
                double stage0 = mi ? stage0(epoch) : Double.NaN;
                Stage1 s1 = stage1(epoch);
                Map<String, Double> diagnostics = EpochDiagnostics.empty();
                s1.contrastive().forEach((m, v) -> diagnostics.put("contrastive_" + m, v));
                if (config.diagnostics()) {
                    EpochDiagnostics.gradients(diagnostics, model, ps, train, manager, config.batchSize(), config.alpha(),
                            config.beta(), mi, allParameters);
                    EpochDiagnostics.separation(diagnostics, model, ps, valid, manager, config.batchSize());
                }
                double validMae = Inference.mae(predict(valid), valid.split().labels);
                double testMae = leaky ? Inference.mae(predict(test), test.split().labels) : Double.NaN;
                boolean selected = false;
                if (validMae < bestValid) {
                    bestValid = validMae;
                    patienceLeft = config.patience();
                    if (!leaky || testMae < bestTest) {
                        bestTest = testMae;
                        bestEpoch = epoch;
                        best = snapshot();
                        selected = true;
                    }
                } else {
                    patienceLeft--;
                }
                plateau.step(validMae);
                System.gc(); // compacts and uncommits the Java heap, so that RSS reflects what training holds
                EpochStats stats = new EpochStats(epoch, stage0, s1.task(), s1.nce(), s1.lld(), s1.entropy(),
                        s1.entropySkipped(), s1.total(), s1.gradNorm(), validMae, testMae,
                        mainOptimizer.groups().get(1).learningRate(), selected, (System.nanoTime() - start) / 1e9, rssMb(),
                        diagnostics);
                epochs.add(stats);
                listener.onEpochEnd(stats);
                if (patienceLeft == 0) {
                    stop = "early stopping: no validation improvement in " + config.patience() + " epochs";
                    break;
                }
            }
        } catch (NonFiniteLossException e) {
            restore(best);
            return new FitResult(epochs, bestEpoch, bestValid, "stopped: " + e.getMessage(), e);
        }
        restore(best);
        return new FitResult(epochs, bestEpoch, bestValid, stop, null);
    }

    private double stage0(int epoch) {
        double sum = 0;
        List<int[]> plan = BatchBuilder.plan(train.split().size(), config.batchSize(), shuffle);
        for (int b = 0; b < plan.size(); b++) {
            Interruption.check();
            try (Batch batch = train.build(manager, plan.get(b))) {
                double lld = stage0Step(batch, epoch, b);
                sum += lld;
                listener.onBatch(epoch, 0, b, -lld);
            }
        }
        return sum / plan.size();
    }

    /**
     * One stage-0 step: encoders without gradient, MMILB estimators maximise lld.
     *
     * @return the batch's lld
     */
    public double stage0Step(Batch batch, int epoch, int index) {
        MecamModel.Encoded enc;
        try (NoGrad ignored = NoGrad.enter()) {
            enc = model.encode(ps, batch, true);
        }
        Gradients.zero(allParameters);
        double value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray lld = model.lld(ps, enc, true);
            value = finite("lld", lld.getFloat(), epoch, 0, index);
            gc.backward(lld.neg());
        }
        finite("gradient norm", Gradients.clipGlobalNorm(mmilbOptimizer.parameters(), config.clip(), manager), epoch, 0, index);
        mmilbOptimizer.step();
        return value;
    }

    private Stage1 stage1(int epoch) {
        memory.reset();
        double task = 0;
        double nce = 0;
        double lld = 0;
        double entropy = 0;
        double total = 0;
        double gradNorm = 0;
        Map<Character, Double> contrastive = new java.util.LinkedHashMap<>();
        int entropyBatches = 0;
        List<int[]> plan = BatchBuilder.plan(train.split().size(), config.batchSize(), shuffle);
        for (int b = 0; b < plan.size(); b++) {
            Interruption.check();
            try (Batch batch = train.build(manager, plan.get(b))) {
                StepLosses l = stage1Step(batch, epoch, b);
                task += l.task();
                nce += l.nce();
                lld += l.lld();
                if (!Double.isNaN(l.entropy())) {
                    entropy += l.entropy();
                    entropyBatches++;
                }
                total += l.total();
                gradNorm += l.gradNorm();
                l.contrastive().forEach((m, v) -> contrastive.merge(m, v, Double::sum));
                listener.onBatch(epoch, 1, b, l.total());
            }
        }
        int n = plan.size();
        contrastive.replaceAll((m, v) -> v / n);
        return new Stage1(task / n, config.alpha() > 0 ? nce / n : Double.NaN, mi ? lld / n : Double.NaN,
                entropyBatches > 0 ? entropy / entropyBatches : Double.NaN, memory.skipped(), total / n, gradNorm / n,
                contrastive);
    }

    /**
     * One stage-1 step: loss = L1 + alpha nce - beta lld - beta H; backward; clip; step.
     *
     * @return the step's loss terms (NaN for terms not used)
     */
    public StepLosses stage1Step(Batch batch, int epoch, int index) {
        Gradients.zero(allParameters);
        double task;
        double nce = Double.NaN;
        double lld = Double.NaN;
        double entropy = Double.NaN;
        double total;
        Map<Character, Double> contrastive = new java.util.LinkedHashMap<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            MecamModel.Output out = model.forward(ps, batch, MecamModel.Stage.MAIN, mi ? memory : null, true);
            NDArray loss = out.prediction().sub(batch.labels).abs().mean();
            task = finite("task loss (L1)", loss.getFloat(), epoch, 1, index);
            if (out.nce() != null) {
                nce = finite("contrastive loss", out.nce().getFloat(), epoch, 1, index);
                for (Map.Entry<Character, NDArray> e : out.contrastive().entrySet()) {
                    contrastive.put(e.getKey(), (double) e.getValue().getFloat());
                }
                loss = loss.add(out.nce().mul(Ops.scalar(loss, config.alpha())));
            }
            if (out.lld() != null) {
                lld = finite("lld", out.lld().getFloat(), epoch, 1, index);
                loss = loss.sub(out.lld().mul(Ops.scalar(loss, config.beta())));
            }
            if (out.entropy() != null) {
                entropy = finite("entropy H", out.entropy().getFloat(), epoch, 1, index);
                loss = loss.sub(out.entropy().mul(Ops.scalar(loss, config.beta())));
            }
            total = finite("total loss", loss.getFloat(), epoch, 1, index);
            gc.backward(loss);
        }
        double norm = finite("gradient norm", Gradients.clipGlobalNorm(mainOptimizer.parameters(), config.clip(), manager),
                epoch, 1, index);
        mainOptimizer.step();
        return new StepLosses(total, task, nce, lld, entropy, norm, contrastive);
    }

    private static double finite(String term, double value, int epoch, int stage, int batch) {
        if (!Double.isFinite(value)) {
            throw new NonFiniteLossException(term, epoch, stage, batch, value);
        }
        return value;
    }

    /** @return predictions of the current weights over a split (eval mode) */
    public float[] predict(BatchBuilder split) {
        return Inference.predict(model, split, manager, config.batchSize());
    }

    /** @return predictions of the current weights over the test split */
    public float[] predictTest() {
        return predict(test);
    }

    /** @return every trainable parameter of the model */
    public List<Parameter> parameters() {
        return allParameters;
    }

    /** @return the entropy memory (for tests and benchmarks) */
    public EntropyMemory memory() {
        return memory;
    }

    private Map<Parameter, float[]> snapshot() {
        Map<Parameter, float[]> out = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            out.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private void restore(Map<Parameter, float[]> snapshot) {
        if (snapshot == null) {
            return;
        }
        snapshot.forEach((p, values) -> Checkpoint.assign(p.getArray(), values));
    }

    /** @return the resident set size of this process in MiB, or -1 where /proc is missing */
    public static double rssMb() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        memory.close();
        mmilbOptimizer.close();
        mainOptimizer.close();
    }
}
