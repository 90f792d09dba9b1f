package org.mecam.cli;

import java.util.concurrent.Callable;
import org.mecam.config.RunConfig;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mecam train}: trains and evaluates one configuration. */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        description = {
            "Train MECAM and evaluate the best-validation checkpoint on the test split.",
            "Without options: the synthetic 'mosi' preset with the paper's MOSI settings, text in feature mode.",
            "Writes <results>/<run-id>/ (config.json, epochs.csv, metrics.json, predictions.csv,",
            "checkpoint/model.npz, training-curves.png) and prints its path as the last line.",
            "Every config value below is an option; --config loads a whole config first."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE.json|mosi|mosei|tiny", order = -2,
            description = "load a whole config (a run's config.json works too); options override it")
    String config;

    @Option(names = "--quiet", negatable = true, order = -1, description = "no progress bars (--no-quiet: bars, the default)")
    boolean quiet;

    @Override
    public Integer call() {
        RunConfig c = ConfigOptions.resolve(spec, config);
        RunResult r = Experiments.run(c, ProgressListener.forConsole(quiet));
        if (r.metrics() != null) {
            SentimentMetrics m = r.metrics();
            spec.commandLine().getOut().printf("best epoch %d of %d (%s)%n", r.training().bestEpoch(), r.training().epochs().size(),
                    r.training().stopReason());
            spec.commandLine().getOut().printf("test: MAE %.4f  Corr %.4f  Acc-7 %.4f  Acc-5 %.4f  Acc-2 %.4f/%.4f  F1 %.4f/%.4f"
                    + " (has0/non0)%n", m.mae(), m.corr(), m.acc7(), m.acc5(), m.acc2Has0(), m.acc2Non0(), m.f1Has0(),
                    m.f1Non0());
        }
        if (!r.succeeded()) {
            spec.commandLine().getErr().println("error: " + r.training().failure().getMessage()
                    + "; the last good checkpoint and failure.json are in the run directory");
        }
        spec.commandLine().getOut().println(r.dir());
        spec.commandLine().getOut().flush();
        return r.succeeded() ? 0 : 3;
    }
}
