package org.mecam.cli;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigJson;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.run.RunFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mecam evaluate --checkpoint DIR}: re-evaluates a saved run. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Rebuild a saved run's model and data, load its checkpoint, evaluate the test split, print the"
                + " metrics as JSON and whether they match the run's metrics.json.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "a run directory")
    Path dir;

    @Option(names = "--allow-diverged", negatable = true, description = "evaluate a run whose training diverged (it has failure.json):"
            + " its checkpoint is the last good epoch's")
    boolean allowDiverged;

    @Override
    public Integer call() {
        String failure = RunFiles.failureMessage(dir);
        if (failure != null && !Files.isRegularFile(dir.resolve(org.mecam.experiment.run.TrainedRun.CHECKPOINT))) {
            spec.commandLine().getErr().println("error: " + dir.resolve(RunFiles.FAILURE) + ": this run diverged before"
                    + " any epoch finished (" + failure + "), so it has no checkpoint to evaluate");
            return Main.EXIT_NON_FINITE;
        }
        if (failure != null && !allowDiverged) {
            spec.commandLine().getErr().println("error: " + dir.resolve(RunFiles.FAILURE) + ": this run diverged ("
                    + failure + "); its checkpoint is the last good epoch's: add --allow-diverged to evaluate it anyway");
            return Main.EXIT_NON_FINITE;
        }
        Experiments.Evaluation e = Experiments.evaluate(dir);
        Map<String, Object> out = new LinkedHashMap<>(e.metrics().toMap());
        Path saved = dir.resolve(RunFiles.METRICS);
        if (Files.isRegularFile(saved)) {
            JsonObject json = RunFiles.metrics(dir);
            double worst = 0;
            for (String key : SentimentMetrics.KEYS) {
                double a = json.get(key).getAsDouble();
                double b = e.metrics().get(key);
                worst = Double.isNaN(a) && Double.isNaN(b) ? worst : Math.max(worst, Math.abs(a - b));
            }
            out.put("matches_saved_metrics", worst <= 1e-6);
            out.put("max_abs_difference", worst);
        }
        spec.commandLine().getOut().println(ConfigJson.GSON.toJson(out));
        return 0;
    }
}
