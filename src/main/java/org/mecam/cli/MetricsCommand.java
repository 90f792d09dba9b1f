package org.mecam.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.eval.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

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
        Metrics m = Metrics.compute(pl[0], pl[1]);
        Map<String, Object> out = new LinkedHashMap<>(m.toMap());
        out.put("n", m.n());
        out.put("warnings", m.warnings());
        spec.commandLine().getOut().println(ConfigJson.GSON.toJson(out));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** @return {predictions, labels} */
    static float[][] read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read predictions " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new ConfigException(file + ": empty file, expected a header with 'prediction' and 'label'");
        }
        List<String> header = Arrays.stream(lines.get(0).split(",", -1)).map(String::trim).toList();
        int p = header.indexOf("prediction");
        int l = header.indexOf("label");
        if (p < 0 || l < 0) {
            throw new ConfigException(file + ": header " + header + " lacks column '" + (p < 0 ? "prediction" : "label") + "'");
        }
        List<String> rows = lines.subList(1, lines.size()).stream().filter(s -> !s.isBlank()).toList();
        if (rows.isEmpty()) {
            throw new ConfigException(file + ": no rows after the header");
        }
        float[] pred = new float[rows.size()];
        float[] label = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = splitCsv(rows.get(i));
            if (cells.length <= Math.max(p, l)) {
                throw new ConfigException(file + ": line " + (i + 2) + " has " + cells.length + " columns, header has "
                        + header.size());
            }
            pred[i] = number(file, i + 2, "prediction", cells[p]);
            label[i] = number(file, i + 2, "label", cells[l]);
        }
        return new float[][] {pred, label};
    }

    private static float number(Path file, int line, String column, String text) {
        try {
            float v = Float.parseFloat(text.trim());
            if (!Float.isFinite(v)) {
                throw new NumberFormatException("not finite");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(file + ": line " + line + ", column '" + column + "': '" + text
                    + "' is not a finite number");
        }
    }

    /** Splits one CSV line, honouring double-quoted cells. */
    static String[] splitCsv(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
        return out.toArray(new String[0]);
    }
}
