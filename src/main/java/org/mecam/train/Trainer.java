package org.mecam.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mecam.config.Selection;
import org.mecam.config.TextMode;
import org.mecam.config.TrainSettings;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.Interruption;
import org.mecam.engine.ProcessMemory;
import org.mecam.eval.Inference;
import org.mecam.model.MecamModel;
import org.mecam.objective.ActiveObjective;
import org.mecam.objective.Objective;
import org.mecam.objective.Stage;

/**
 * Trains a {@link MecamModel} on an {@link Objective} as docs/METHOD.md ("Head, loss and
 * training") describes: each epoch runs stage 0 over the training set when the objective has a
 * stage-0 term (the MMILB estimators maximise lld), then stage 1 (the main loss), then
 * validation; keeps the best epoch's weights by validation loss (or the published test-leaky
 * rule) and stops early. The steps are {@link TrainingSteps}'; their values wait on the device
 * until read ({@link StepReadback}, docs/METHOD.md "A step on the device").
 */
public final class Trainer implements AutoCloseable {

    private final TrainSettings config;
    private final MecamModel model;
    private final NDManager manager;
    private final BatchBuilder train;
    private final BatchBuilder valid;
    private final BatchBuilder test;
    private final ActiveObjective objective;
    private final TrainingSteps steps;
    private final StepReadback readback;
    private final ReduceLrOnPlateau plateau;
    private final List<Parameter> allParameters = new ArrayList<>();
    private final Random shuffle;
    private final TrainingProgress listener;
    private final ParameterStore ps;
    private int readEvery;

    /** Steps between reads of their values on a GPU, where each read waits for all queued work. */
    public static final int GPU_READBACK = 32;

    /** A trainer of MECAM's {@link Objective#standard() standard objective}. */
    public Trainer(TrainSettings config, MecamModel model, MultimodalDataset data, NDManager manager,
            BatchBuilder.FrameTransform augmentation, TrainingProgress listener) {
        this(config, model, data, manager, augmentation, listener, Objective.standard());
    }

    /**
     * @param config the run's configuration
     * @param model an initialised model
     * @param data the dataset
     * @param manager parent of every array the trainer creates
     * @param augmentation training-time perturbation of samples, or null
     * @param listener progress receiver
     * @param objective the loss terms
     */
    public Trainer(TrainSettings config, MecamModel model, MultimodalDataset data, NDManager manager,
            BatchBuilder.FrameTransform augmentation, TrainingProgress listener, Objective objective) {
        this.config = config;
        this.model = model;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
        boolean ids = config.textMode() != TextMode.FEATURES;
        this.train = new BatchBuilder(data.train(), ids, augmentation);
        this.valid = new BatchBuilder(data.valid(), ids, null);
        this.test = new BatchBuilder(data.test(), ids, null);
        for (Pair<String, Parameter> p : model.getParameters()) {
            if (p.getValue().getArray().hasGradient()) {
                allParameters.add(p.getValue());
            }
        }
        this.listener = listener == null ? new TrainingProgress() {} : listener;
        this.readback = new StepReadback(manager, this.listener);
        this.objective = objective.bind(model, config, manager);
        this.steps = new TrainingSteps(config, model, ps, this.objective, manager, allParameters, readback);
        this.plateau = new ReduceLrOnPlateau(steps.mainOptimizer().groups(), config.plateauPatience(),
                config.plateauFactor());
        this.readEvery = manager.getDevice().isGpu() ? GPU_READBACK : 1;
        this.shuffle = new Random(config.seed());
        if (config.beta() > 0 && !model.hasMutualInformation()) {
            this.listener.onWarning("beta = " + config.beta() + " but the single modality '" + config.modalities()
                    + "' has no pair to estimate mutual information on: the mutual-information terms and stage 0 are off");
        }
    }

    /**
     * Loss values of one step, on the Java side.
     *
     * @param terms each term of the stage that is on, by name (NaN where it gave no value this step)
     * @param total the stage's loss
     * @param gradNorm the gradient norm before clipping
     * @param parts the terms' parts by name (e.g. contrastive_t)
     */
    public record StepLosses(Map<String, Double> terms, double total, double gradNorm, Map<String, Double> parts) {

        /** @return a term's value (NaN when it is off or gave none) */
        public double term(String name) {
            Double v = terms.get(name);
            return v == null ? Double.NaN : v;
        }
    }

    /** The values of the steps read by one {@link #readBack()}, in step order. */
    public record Readback(List<StepLosses> stage0, List<StepLosses> stage1) {}

    /**
     * Trains for up to {@code epochs}, keeps the best checkpoint by validation loss (or the
     * published test-leaky rule), and leaves its weights in the model. A non-finite loss ends
     * training early; the result then carries the diagnosis and the model the last good weights.
     */
    public FitResult fit() {
        List<EpochStats> epochs = new ArrayList<>();
        WeightSnapshot best = null;
        int bestEpoch = 0;
        double bestValid = Double.POSITIVE_INFINITY;
        double bestTest = Double.POSITIVE_INFINITY;
        int patienceLeft = config.patience();
        String stop = "reached " + config.epochs() + " epochs";
        boolean leaky = config.selection() == Selection.TEST_LEAKY;
        String header = EpochStats.header(objective.objective());
        listener.onTrainingStart(objective.objective());
        try {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                boolean stage0 = objective.has(Stage.MMILB);
                int batches = (stage0 ? 2 : 1) * BatchBuilder.plan(train.split().size(), config.batchSize(), null).size();
                listener.onEpochStart(epoch, config.epochs(), batches);
                EpochMeans means = new EpochMeans(objective.objective());
                if (stage0) {
                    runStage(Stage.MMILB, epoch, means);
                }
                runStage(Stage.MAIN, epoch, means);
                Map<String, Double> diagnostics = EpochDiagnostics.empty(objective.objective());
                diagnostics.putAll(means.parts());
                double validMae = Inference.mae(predict(valid), valid.split().labels);
                double testMae = leaky ? Inference.mae(predict(test), test.split().labels) : Double.NaN;
                boolean selected = false;
                if (validMae < bestValid) {
                    bestValid = validMae;
                    patienceLeft = config.patience();
                    if (!leaky || testMae < bestTest) {
                        bestTest = testMae;
                        bestEpoch = epoch;
                        best = WeightSnapshot.of(model);
                        selected = true;
                    }
                } else {
                    patienceLeft--;
                }
                if (config.diagnostics() && (epoch == 1 || selected || epoch % config.diagnosticsEvery() == 0)) {
                    // after validation, which they do not change (no dropout, no random numbers, gradients zeroed)
                    EpochDiagnostics.gradients(diagnostics, model, ps, train, manager, config.batchSize(), objective,
                            allParameters);
                    EpochDiagnostics.separation(diagnostics, model, ps, valid, manager, config.batchSize());
                }
                plateau.step(validMae);
                System.gc(); // compacts and uncommits the Java heap, so that RSS reflects what training holds
                EpochStats stats = new EpochStats(epoch, means.terms(), objective.counters(), means.total(),
                        means.gradNorm(), validMae, testMae, steps.mainOptimizer().groups().get(1).learningRate(),
                        selected, (System.nanoTime() - start) / 1e9, ProcessMemory.rssMb(), diagnostics);
                epochs.add(stats);
                listener.onEpochEnd(stats);
                if (patienceLeft == 0) {
                    stop = "early stopping: no validation improvement in " + config.patience() + " epochs";
                    break;
                }
            }
        } catch (NonFiniteLossException e) {
            restore(best);
            return new FitResult(epochs, bestEpoch, bestValid, "stopped: " + e.getMessage(), e, header);
        }
        restore(best);
        return new FitResult(epochs, bestEpoch, bestValid, stop, null, header);
    }

    private static void restore(WeightSnapshot best) {
        if (best != null) {
            best.restore();
        }
    }

    /** One stage over the training set, in a new shuffled order; its steps' values go into {@code means}. */
    private void runStage(Stage stage, int epoch, EpochMeans means) {
        objective.reset(stage);
        List<int[]> plan = BatchBuilder.plan(train.split().size(), config.batchSize(), shuffle);
        for (int b = 0; b < plan.size(); b++) {
            Interruption.check();
            try (Batch batch = train.build(manager, plan.get(b))) {
                steps.step(stage, batch, epoch, b);
            }
            if (readback.size() >= readEvery || b == plan.size() - 1) {
                Readback r = readback.read();
                r.stage0().forEach(l -> means.add(Stage.MMILB, l));
                r.stage1().forEach(l -> means.add(Stage.MAIN, l));
            }
        }
        means.endStage(stage, plan.size());
    }

    /**
     * One stage-0 step, its values read back at once (with those of any step not read yet).
     *
     * @throws NonFiniteLossException if lld or the gradient norm is not finite (the step changed nothing)
     */
    public StepLosses stage0Step(Batch batch, int epoch, int index) {
        stage0Deferred(batch, epoch, index);
        List<StepLosses> read = readBack().stage0();
        return read.get(read.size() - 1);
    }

    /**
     * One stage-0 step (encoders without gradient, MMILB estimators maximise lld) that reads
     * nothing back: its values stay on the device until {@link #readBack()}. Where one is not
     * finite, the optimizer step changes nothing.
     */
    public void stage0Deferred(Batch batch, int epoch, int index) {
        steps.step(Stage.MMILB, batch, epoch, index);
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
     * One stage-1 step (the objective's stage-1 loss; backward; clip; step) that reads nothing
     * back: its values stay on the device until {@link #readBack()}, and the checks that they are
     * finite run there too: where one is not, the optimizer step changes neither weights nor moments.
     */
    public void stage1Deferred(Batch batch, int epoch, int index) {
        steps.step(Stage.MAIN, batch, epoch, index);
    }

    /** @return the steps run and not read back yet */
    public int pendingSteps() {
        return readback.size();
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

    /** Reads and checks every pending step's values ({@link StepReadback#read()}). */
    public Readback readBack() {
        return readback.read();
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

    /** @return the objective as bound to this trainer's model (its terms that are on, their states) */
    public ActiveObjective objective() {
        return objective;
    }

    @Override
    public void close() {
        readback.close();
        objective.close();
        steps.close();
    }
}
