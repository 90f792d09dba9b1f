package org.mecam.experiment.method;

import ai.djl.Device;
import java.io.IOException;
import org.mecam.config.MethodKind;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.run.RunDirectory;
import org.mecam.train.TrainingProgress;

/**
 * A learner: its key and constraints ({@link MethodKind}) and how it fits a configuration and
 * predicts the test split. One class per method, registered in {@code
 * META-INF/services/org.mecam.config.MethodKind}; {@link Experiments#run} dispatches on the
 * configuration's {@code method} and writes what the method returns.
 */
public interface TrainingMethod extends MethodKind {

    /**
     * What a method fits with.
     *
     * @param config the run's configuration
     * @param data the dataset, in memory
     * @param device where tensors live
     * @param augmentation training-time perturbation of samples, or null
     * @param listener progress receiver
     * @param options labels, robustness sweep, objective
     * @param dir the run's staging directory (a checkpoint, a TensorBoard log go there)
     */
    record Context(RunConfig config, MultimodalDataset data, Device device, BatchBuilder.FrameTransform augmentation,
            TrainingProgress listener, RunOptions options, RunDirectory dir) {}

    /**
     * Fits the method and evaluates it on the test split (and the robustness sweep the options ask for).
     *
     * @return what the run writes
     */
    Experiments.Outcome fit(Context context) throws IOException;

    /** @return the method of {@code key} (every registered method kind is a training method) */
    static TrainingMethod of(String key) {
        return (TrainingMethod) MethodKind.of(key);
    }
}
