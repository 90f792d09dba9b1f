package org.mecam.experiment.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.Devices;
import org.mecam.engine.NativeRuntime;
import org.mecam.eval.Inference;
import org.mecam.model.DropoutMasks;
import org.mecam.model.MecamModel;
import org.mecam.train.Checkpoint;

/**
 * A model with its configuration, data and manager, built in the one order every caller needs:
 * validate the configuration, start the runtime, load the data, open a manager on the
 * configured device, seed the engine, build and initialise the model, and (for a finished run)
 * load its checkpoint. {@link #open(Path)} rebuilds a trained model from a run directory
 * (evaluate, the representation probes of the reports); {@link #fresh} builds an initialised one
 * for training and benchmarks. Closing it frees every array.
 */
public final class TrainedRun implements AutoCloseable {

    /** The weights of a run directory, relative to it. */
    public static final String CHECKPOINT = "checkpoint/model.npz";

    private final RunConfig config;
    private final MultimodalDataset data;
    private final NDManager manager;
    private final MecamModel model;

    private TrainedRun(RunConfig config, MultimodalDataset data, NDManager manager, MecamModel model) {
        this.config = config;
        this.data = data;
        this.manager = manager;
        this.model = model;
    }

    /**
     * Rebuilds a finished run: its config.json, its dataset, its model with the weights of its
     * checkpoint.
     *
     * @throws ConfigException when the directory lacks config.json or the checkpoint
     */
    public static TrainedRun open(Path runDir) {
        return open(runDir, null);
    }

    /**
     * As {@link #open(Path)}, on a dataset already in memory (the run's own, e.g. a grid's
     * shared copy), or null to load the run's dataset.
     */
    static TrainedRun open(Path runDir, MultimodalDataset loaded) {
        Path configFile = runDir.resolve(RunFiles.CONFIG);
        Path weights = runDir.resolve(CHECKPOINT);
        if (Files.isRegularFile(configFile) && !Files.isRegularFile(weights)
                && Files.isRegularFile(runDir.resolve(RunFiles.FAILURE))) {
            throw new ConfigException(runDir.resolve(RunFiles.FAILURE) + ": this run diverged before any epoch finished ("
                    + RunFiles.failureMessage(runDir) + "), so it has no checkpoint to load");
        }
        for (Path p : List.of(configFile, weights)) {
            if (!Files.isRegularFile(p)) {
                throw new ConfigException("not a run directory: " + p.toAbsolutePath() + " is missing");
            }
        }
        RunConfig config = ConfigJson.load(configFile.toString());
        config.validate();
        NativeRuntime.start(config.threads, config.mklKernels, config.lstmKernel);
        TrainedRun run = fresh(config, loaded == null ? Datasets.load(config) : loaded, config.seed);
        try {
            Checkpoint.load(run.model, weights);
            return run;
        } catch (IOException | RuntimeException e) {
            run.close();
            throw e instanceof IOException ? new UncheckedIOException("cannot read " + weights, (IOException) e)
                    : (RuntimeException) e;
        }
    }

    /**
     * An initialised model for {@code config} on {@code data}, the engine seeded with
     * {@code seed} first (the runtime must be started).
     */
    public static TrainedRun fresh(RunConfig config, MultimodalDataset data, long seed) {
        NDManager manager = NDManager.newBaseManager(Devices.resolve(config.device));
        try {
            Engine.getInstance().setRandomSeed((int) seed);
            MecamModel model = MecamModel.create(config.model(), data.info(), manager);
            model.dropoutMasks().use(DropoutMasks.resolve(config.dropoutMasks, manager.getDevice()), seed,
                    DropoutMasks.aheadDefault(NativeRuntime.start().intraOpThreads()));
            model.attentionKernel(config.attentionKernel);
            return new TrainedRun(config, data, manager, model);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public RunConfig config() {
        return config;
    }

    public MultimodalDataset data() {
        return data;
    }

    public NDManager manager() {
        return manager;
    }

    public MecamModel model() {
        return model;
    }

    /** @return batches of a split in this run's input layout (token ids or features), optionally transformed */
    public BatchBuilder batches(Split split, BatchBuilder.FrameTransform transform) {
        return new BatchBuilder(split, config.textMode != TextMode.FEATURES, transform);
    }

    /** @return the model's predictions over a split (eval mode, no gradient) */
    public float[] predict(Split split) {
        return Inference.predict(model, batches(split, null), manager, config.batchSize);
    }

    @Override
    public void close() {
        model.dropoutMasks().close(); // stops the thread making masks before their memory goes
        manager.close();
    }
}
