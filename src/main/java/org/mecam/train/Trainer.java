package org.mecam.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import org.mecam.engine.NativeArrays;
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
 * <p>Every NDArray of a step lives in that batch's manager and is freed when the batch closes,
 * except the step's values (loss terms, gradient norm), which wait on the device until {@link
 * #readBack()}: a step makes no host round trip (docs/METHOD.md, "A step on the device").
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
    /** Where the values of steps not read yet live. */
    private final NDManager log;
    private final List<Pending> pending = new ArrayList<>();
    private int readEvery;

    /** Steps between reads of their values on a GPU, where each read waits for all queued work. */
    public static final int GPU_READBACK = 32;

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
        this.log = manager.newSubManager();
        this.readEvery = manager.getDevice().isGpu() ? GPU_READBACK : 1;
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
                stage0Deferred(batch, epoch, b);
            }
            if (pending.size() >= readEvery || b == plan.size() - 1) {
                for (double lld : readBack().stage0()) {
                    sum += lld;
                }
            }
        }
        return sum / plan.size();
    }

    /**
     * One stage-0 step, its values read back at once (with those of any step not read yet).
     *
     * @return the batch's lld
     * @throws NonFiniteLossException if lld or the gradient norm is not finite (the step changed nothing)
     */
    public double stage0Step(Batch batch, int epoch, int index) {
        stage0Deferred(batch, epoch, index);
        List<Double> read = readBack().stage0();
        return read.get(read.size() - 1);
    }

    /**
     * One stage-0 step (encoders without gradient, MMILB estimators maximise lld) that reads
     * nothing back: its lld and gradient norm stay on the device until {@link #readBack()}.
     * Where either is not finite, the optimizer step changes nothing.
     */
    public void stage0Deferred(Batch batch, int epoch, int index) {
        model.prepare(batch);
        MecamModel.Encoded enc;
        try (NoGrad ignored = NoGrad.enter()) {
            enc = model.encode(ps, batch, true);
        }
        Gradients.zero(allParameters);
        NDArray lld;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            lld = model.lld(ps, enc, true);
            gc.backward(lld.neg());
        }
        NDArray norm = Gradients.clipGlobalNorm(mmilbOptimizer.parameters(), config.clip(), batch.manager);
        NDArray values = float64(lld, norm);
        mmilbOptimizer.step(allFinite(values));
        keep(new Pending(0, epoch, index, values, null, false, true));
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
                stage1Deferred(batch, epoch, b);
            }
            if (pending.size() < readEvery && b < plan.size() - 1) {
                continue;
            }
            for (StepLosses l : readBack().stage1()) {
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
            }
        }
        int n = plan.size();
        contrastive.replaceAll((m, v) -> v / n);
        return new Stage1(task / n, config.alpha() > 0 ? nce / n : Double.NaN, mi ? lld / n : Double.NaN,
                entropyBatches > 0 ? entropy / entropyBatches : Double.NaN, memory.skipped(), total / n, gradNorm / n,
                contrastive);
    }

    /**
     * One stage-1 step, its values read back at once (with those of any step not read yet).
     *
     * @return the step's loss terms (NaN for terms not used; entropy NaN also when no pair was used)
     * @throws NonFiniteLossException if a loss term or the gradient norm is not finite (the step changed nothing)
     */
    public StepLosses stage1Step(Batch batch, int epoch, int index) {
        stage1Deferred(batch, epoch, index);
        List<StepLosses> read = readBack().stage1();
        return read.get(read.size() - 1);
    }

    /**
     * One stage-1 step (loss = L1 + alpha nce - beta lld - beta H; backward; clip; step) that
     * reads nothing back: its loss terms and gradient norm stay on the device until {@link
     * #readBack()}, and the checks that they are finite run there too: where one is not, the
     * optimizer step changes neither weights nor moments.
     */
    public void stage1Deferred(Batch batch, int epoch, int index) {
        model.prepare(batch);
        Gradients.zero(allParameters);
        NDManager m = batch.manager;
        NDArray none = NativeArrays.scalar(m, Double.NaN, DataType.FLOAT32);
        NDArray task;
        NDArray nce = none;
        NDArray lld = none;
        NDArray entropy = none;
        NDArray loss;
        List<NDArray> checked = new ArrayList<>();
        MecamModel.Output out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = model.forward(ps, batch, MecamModel.Stage.MAIN, mi ? memory : null, true);
            task = out.prediction().sub(batch.labels).abs().mean();
            loss = task;
            checked.add(task);
            if (out.nce() != null) {
                nce = out.nce();
                checked.add(nce);
                loss = loss.add(nce.mul(Ops.scalar(loss, config.alpha())));
            }
            if (out.lld() != null) {
                lld = out.lld();
                checked.add(lld);
                loss = loss.sub(lld.mul(Ops.scalar(loss, config.beta())));
            }
            if (out.entropy() != null) {
                loss = loss.sub(out.entropy().mul(Ops.scalar(loss, config.beta())));
            }
            checked.add(loss);
            gc.backward(loss);
        }
        if (out.entropy() != null) {
            // a step whose pairs all had a non-finite logdet reports no entropy (NaN), as one without pairs
            entropy = NDArrays.where(out.entropyUsed().gt(Ops.scalar(out.entropyUsed(), 0)), out.entropy(), none);
        }
        NDArray norm = Gradients.clipGlobalNorm(mainOptimizer.parameters(), config.clip(), m);
        checked.add(norm);
        mainOptimizer.step(allFinite(float64(checked.toArray(new NDArray[0]))));
        List<NDArray> values = new ArrayList<>(List.of(task, nce, lld, entropy, loss, norm));
        Map<Character, NDArray> perModality = out.contrastive() == null ? Map.of() : out.contrastive();
        values.addAll(perModality.values());
        char[] modalities = new char[perModality.size()];
        int i = 0;
        for (char c : perModality.keySet()) {
            modalities[i++] = c;
        }
        keep(new Pending(1, epoch, index, float64(values.toArray(new NDArray[0])), modalities, out.nce() != null,
                out.lld() != null));
    }

    /** A step's values on the device, not read yet. */
    private record Pending(int stage, int epoch, int index, NDArray values, char[] modalities, boolean hasNce,
            boolean hasLld) {}

    /** The values of the steps read by one {@link #readBack()}, in step order. */
    public record Readback(List<Double> stage0, List<StepLosses> stage1) {}

    /** @return the steps run and not read back yet */
    public int pendingSteps() {
        return pending.size();
    }

    /**
     * Sets how many steps run between reads of their values: 1 (the default on the CPU) reads
     * after every step; more let a GPU run ahead of the host (the default there is {@link
     * #GPU_READBACK}). Fitting reads at the end of each stage in any case.
     */
    public void setReadback(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("readback must be at least 1 step; got " + steps);
        }
        this.readEvery = steps;
    }

    /** @return steps between reads of their values */
    public int readback() {
        return readEvery;
    }

    /**
     * Reads the values of every step run since the last read, in one copy from the device, and
     * checks them in the order the steps ran: the first non-finite term (in the order task,
     * contrastive, lld, entropy, total, gradient norm) ends training with a {@link
     * NonFiniteLossException} that names its epoch, stage and batch. That step changed no
     * weight; steps after it in the same read did run. Reports each step to the progress
     * listener.
     */
    public Readback readBack() {
        if (pending.isEmpty()) {
            return new Readback(List.of(), List.of());
        }
        List<Pending> steps = new ArrayList<>(pending);
        double[] all;
        try {
            NDList list = new NDList();
            steps.forEach(p -> list.add(p.values()));
            if (list.size() == 1) {
                all = list.head().toDoubleArray();
            } else {
                try (NDArray joined = NDArrays.concat(list)) {
                    all = joined.toDoubleArray();
                }
            }
        } finally {
            pending.forEach(p -> p.values().close());
            pending.clear();
        }
        List<Double> stage0 = new ArrayList<>();
        List<StepLosses> stage1 = new ArrayList<>();
        int at = 0;
        for (Pending p : steps) {
            int e = p.epoch();
            int b = p.index();
            if (p.stage() == 0) {
                double lld = finite("lld", all[at], e, 0, b);
                finite("gradient norm", all[at + 1], e, 0, b);
                at += 2;
                stage0.add(lld);
                listener.onBatch(e, 0, b, -lld);
                continue;
            }
            double task = finite("task loss (L1)", all[at], e, 1, b);
            double nce = all[at + 1];
            double lld = all[at + 2];
            double entropy = all[at + 3];
            if (p.hasNce()) {
                finite("contrastive loss", nce, e, 1, b);
            }
            if (p.hasLld()) {
                finite("lld", lld, e, 1, b);
            }
            double total = finite("total loss", all[at + 4], e, 1, b);
            double norm = finite("gradient norm", all[at + 5], e, 1, b);
            Map<Character, Double> contrastive = new java.util.LinkedHashMap<>();
            for (int i = 0; i < p.modalities().length; i++) {
                contrastive.put(p.modalities()[i], all[at + 6 + i]);
            }
            at += 6 + p.modalities().length;
            stage1.add(new StepLosses(total, task, nce, lld, entropy, norm, contrastive));
            listener.onBatch(e, 1, b, total);
        }
        return new Readback(stage0, stage1);
    }

    /** Keeps a step's values beyond its batch. */
    private void keep(Pending p) {
        p.values().attach(log);
        pending.add(p);
    }

    /**
     * @return the values as one float64 vector (exact: each is a float32 or float64 scalar),
     *     detached: a pending step must not keep its autograd graph (and with it the step's
     *     activations) alive until it is read
     */
    private static NDArray float64(NDArray... values) {
        try (NoGrad ignored = NoGrad.enter()) {
            NDList list = new NDList();
            for (NDArray v : values) {
                list.add(v.stopGradient().toType(DataType.FLOAT64, false).reshape(1));
            }
            return NDArrays.concat(list);
        }
    }

    /** @return whether every value is finite, a boolean scalar computed on the device */
    private static NDArray allFinite(NDArray values) {
        NDArray zeroIfFinite = values.sub(values); // 0 for a finite value, NaN for NaN and +-inf
        return zeroIfFinite.eq(zeroIfFinite).all();
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
        pending.clear();
        log.close();
        memory.close();
        mmilbOptimizer.close();
        mainOptimizer.close();
    }
}
