package org.mecam.experiment.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import org.mecam.engine.ProcessMemory;
import org.mecam.eval.Inference;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.protocol.Robustness;
import org.mecam.objective.Objective;
import org.mecam.train.EpochDiagnostics;
import org.mecam.train.EpochStats;
import org.mecam.train.FitResult;
import org.tribuo.Trainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/**
 * The Tribuo baselines on mean-pooled features ({@link TribuoBaseline}): {@link Linear} and
 * {@link Forest}. A fit is recorded as one epoch with its validation MAE.
 */
public abstract class TribuoMethod implements TrainingMethod {

    /** @return the Tribuo trainer of this method, seeded */
    abstract Trainer<Regressor> trainer(long seed);

    @Override
    public List<String> check(RunConfig c) {
        if (c.textMode != TextMode.FEATURES && c.uses(Modality.TEXT)) {
            return List.of("method=" + key() + " pools token features: needs --text-mode features");
        }
        return List.of();
    }

    @Override
    public Experiments.Outcome fit(Context c) {
        RunConfig config = c.config();
        long start = System.nanoTime();
        TribuoBaseline baseline = TribuoBaseline.fit(config, c.data(), trainer(config.seed));
        float[] valid = baseline.predict(c.data().valid(), null);
        double validMae = Inference.mae(valid, c.data().valid().labels);
        Objective objective = Objective.standard();
        Map<String, Double> terms = new LinkedHashMap<>();
        objective.names().forEach(n -> terms.put(n, Double.NaN));
        Map<String, Integer> counters = new LinkedHashMap<>();
        objective.counters().forEach(n -> counters.put(n, 0));
        EpochStats fit = new EpochStats(1, terms, counters, Double.NaN, Double.NaN, validMae, Double.NaN, Double.NaN,
                true, (System.nanoTime() - start) / 1e9, ProcessMemory.rssMb(), EpochDiagnostics.empty(objective));
        FitResult training = new FitResult(List.of(fit), 1, validMae, "fitted " + key(), null,
                EpochStats.header(objective));
        float[] predictions = baseline.predict(c.data().test(), null);
        return new Experiments.Outcome(training, SentimentMetrics.compute(predictions, c.data().test().labels),
                predictions, Robustness.evaluate(baseline, c.data(), c.options(), config.seed));
    }

    /** {@code tribuo-linear}: a linear model trained by SGD (AdaGrad, squared loss, 20 epochs). */
    public static final class Linear extends TribuoMethod {
        @Override
        public String key() {
            return "tribuo-linear";
        }

        @Override
        public String description() {
            return "baseline: Tribuo's linear SGD regressor on mean-pooled features";
        }

        @Override
        Trainer<Regressor> trainer(long seed) {
            return new LinearSGDTrainer(new SquaredLoss(), new AdaGrad(0.1, 0.1), 20, seed);
        }
    }

    /** {@code tribuo-forest}: a random forest of 50 CART trees (depth 8, half the features per split). */
    public static final class Forest extends TribuoMethod {
        @Override
        public String key() {
            return "tribuo-forest";
        }

        @Override
        public String description() {
            return "baseline: Tribuo's random forest of CART regression trees on mean-pooled features";
        }

        /** Its 50 trees and the pooled features' copies: 6870 MiB on the mosi preset (ablations-mosi's rss_mb). */
        @Override
        public double residentPerDataMb() {
            return 18;
        }

        @Override
        Trainer<Regressor> trainer(long seed) {
            return new RandomForestTrainer<>(new CARTRegressionTrainer(8, 5f, 0f, 0.5f, new MeanSquaredError(), seed),
                    new AveragingCombiner(), 50, seed);
        }
    }
}
