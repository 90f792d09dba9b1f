package org.mecam.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.TrainSettings;
import org.mecam.data.batch.Batch;
import org.mecam.model.MecamModel;
import org.mecam.objective.ActiveObjective;
import org.mecam.objective.LossTerm;
import org.mecam.objective.Stage;

/**
 * The two training steps of an epoch (docs/METHOD.md, "Head, loss and training"), each over the
 * objective's terms of its stage: stage 0 (the MMILB estimators, their own optimizer, encoders
 * without gradient) and stage 1 (every other trainable parameter). A step reads nothing back:
 * its values wait on the device in a {@link StepReadback}, and the test that they are finite
 * runs there and gates the optimizer step.
 */
final class TrainingSteps implements AutoCloseable {

    private final TrainSettings config;
    private final MecamModel model;
    private final ParameterStore ps;
    private final ActiveObjective objective;
    private final AdamOptimizer mmilbOptimizer;
    private final AdamOptimizer mainOptimizer;
    private final List<Parameter> allParameters;
    private final StepReadback readback;

    TrainingSteps(TrainSettings config, MecamModel model, ParameterStore ps, ActiveObjective objective,
            NDManager manager, List<Parameter> allParameters, StepReadback readback) {
        this.config = config;
        this.model = model;
        this.ps = ps;
        this.objective = objective;
        this.allParameters = allParameters;
        this.readback = readback;
        this.mmilbOptimizer = new AdamOptimizer(manager, List.of(
                new AdamOptimizer.Group("mmilb", model.mmilbParameters(), config.lrMmilb(), config.weightDecayMmilb())));
        AdamOptimizer.Group bert = new AdamOptimizer.Group("bert", model.bertParameters(), config.lrBert(),
                config.weightDecayBert());
        AdamOptimizer.Group main = new AdamOptimizer.Group("main", model.mainParameters(), config.lrMain(),
                config.weightDecayMain());
        this.mainOptimizer = new AdamOptimizer(manager, List.of(bert, main));
    }

    /** @return the optimizer of stage 1 (its groups: bert, main) */
    AdamOptimizer mainOptimizer() {
        return mainOptimizer;
    }

    /**
     * One step of {@code stage}: the stage's loss (stage 0 on encoder outputs computed without
     * gradient), backward, clip, optimizer step where every checked value is finite.
     */
    void step(Stage stage, Batch batch, int epoch, int index) {
        model.prepare(batch);
        Gradients.zero(allParameters);
        ActiveObjective.Computed c;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            MecamModel.Output out = stage == Stage.MAIN ? model.forward(ps, batch, true) : null;
            c = objective.compute(stage, ps, batch, out, true);
            gc.backward(c.loss());
        }
        AdamOptimizer optimizer = stage == Stage.MAIN ? mainOptimizer : mmilbOptimizer;
        NDArray norm = Gradients.clipGlobalNorm(optimizer.parameters(), config.clip(), batch.manager);
        List<LossTerm> terms = objective.active(stage);
        List<NDArray> reported = new ArrayList<>();
        List<NDArray> checked = new ArrayList<>();
        Map<String, NDArray> parts = new LinkedHashMap<>();
        for (LossTerm t : terms) {
            LossTerm.Value v = c.values().get(t);
            reported.add(v == null ? null : v.reported());
            if (v != null) {
                if (t.checked()) {
                    checked.add(v.value());
                }
                parts.putAll(v.parts());
            }
        }
        checked.add(c.loss());
        checked.add(norm);
        optimizer.step(StepReadback.allFinite(StepReadback.float64(checked.toArray(new NDArray[0]))));
        readback.keep(stage, epoch, index, terms, reported, c.loss(), norm, parts, batch.manager);
    }

    @Override
    public void close() {
        mmilbOptimizer.close();
        mainOptimizer.close();
    }
}
