package org.mecam.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.eval.SentimentMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import org.mecam.data.io.Csv;

/** {@code mecam metrics --predictions FILE.csv}: the metrics of any predictions file. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Print the metrics (MAE, Corr, Acc-7, Acc-5, Acc-2/F1 has0 and non0) of a CSV with columns"
                + " 'prediction' and 'label' (found by header name) as JSON.")
final class MetricsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--predictions", required = true, paramLabel = "FILE.csv", description = "the predictions")
    Path file;

    @Override
    public Integer call() {
        float[][] pl = read(file);
        SentimentMetrics m = SentimentMetrics.compute(pl[0], pl[1]);
        Map<String, Object> out = new LinkedHashMap<>(m.toMap());
        out.put("n", m.n());
        out.put("warnings", m.warnings());
        spec.commandLine().getOut().println(ConfigJson.GSON.toJson(out));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** @return {predictions, labels} */
    static float[][] read(Path file) {
        Csv csv = Csv.read(file);
        int p = csv.column("prediction");
        int l = csv.column("label");
        if (csv.size() == 0) {
            throw new ConfigException(file + ": no rows after the header");
        }
        float[] pred = new float[csv.size()];
        float[] label = new float[csv.size()];
        for (int i = 0; i < csv.size(); i++) {
            pred[i] = number(file, i + 2, "prediction", csv.get(i, p));
            label[i] = number(file, i + 2, "label", csv.get(i, l));
        }
        return new float[][] {pred, label};
    }

    private static float number(Path file, int line, String column, String text) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(file + ": line " + line + ", column '" + column + "': '" + text
                    + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new ConfigException(file + ": line " + line + ", column '" + column + "': '" + text
                    + "' is not a finite number");
        }
        if (Math.abs(v) > Float.MAX_VALUE) {
            throw new ConfigException(file + ": line " + line + ", column '" + column + "': " + text
                    + " is outside the float range (|x| <= 3.4e38) in which metrics are computed");
        }
        return (float) v;
    }
}
