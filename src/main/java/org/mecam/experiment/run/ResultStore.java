package org.mecam.experiment.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mecam.data.io.Csv;
import org.mecam.eval.SentimentMetrics;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Every finished run under a results directory, in long format: one row per (run, metric) with
 * its grid, dataset, variant and seed; likewise the robustness sweeps and the metrics by
 * negative information. Runs not made by a grid appear with grid "runs" and their run id as
 * variant.
 */
public final class ResultStore {

    /** One finished run: where it is and what it was. */
    public record Run(Path dir, String grid, String dataset, String variant, long seed, JsonObject config) {}

    private final Path root;
    private final List<Run> runs;
    private final Table metrics;
    private final Table robustness;
    private final Table subsets;

    private ResultStore(Path root, List<Run> runs) throws IOException {
        this.root = root;
        this.runs = runs;
        this.metrics = table("metrics", "metric");
        this.robustness = table("robustness", "perturbation", "level", "metric");
        this.subsets = table("subsets", "subset", "metric");
        for (Run r : runs) {
            JsonObject m = RunFiles.metrics(r.dir());
            for (String key : SentimentMetrics.KEYS) {
                row(metrics, r, m.get(key).getAsDouble(), key);
            }
            if (m.has("valid_mae")) {
                row(metrics, r, m.get("valid_mae").getAsDouble(), "valid_mae");
            }
            if (m.has("by_negative_info")) {
                for (Map.Entry<String, JsonElement> sub : m.getAsJsonObject("by_negative_info").entrySet()) {
                    for (Map.Entry<String, JsonElement> e : sub.getValue().getAsJsonObject().entrySet()) {
                        row(subsets, r, e.getValue().getAsDouble(), sub.getKey(), e.getKey());
                    }
                }
            }
            Csv csv = RunFiles.robustness(r.dir());
            if (csv != null) {
                for (int i = 0; i < csv.size(); i++) {
                    for (String key : SentimentMetrics.KEYS) {
                        row(robustness, r, Double.parseDouble(csv.get(i, csv.column(key))), csv.get(i, csv.column("perturbation")),
                                csv.get(i, csv.column("level")), key);
                    }
                }
            }
        }
    }

    /** @return the store of every finished run under {@code root} (staging directories are skipped) */
    public static ResultStore scan(Path root) {
        List<Run> runs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.getFileName().toString().equals(RunFiles.METRICS))
                    .map(Path::getParent)
                    .filter(d -> Files.isRegularFile(d.resolve(RunFiles.CONFIG)))
                    .filter(d -> !hidden(root.relativize(d)))
                    .sorted(Comparator.naturalOrder())
                    .forEach(d -> runs.add(run(d)));
            return new ResultStore(root, runs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results under " + root, e);
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Run run(Path dir) {
        JsonObject config = RunFiles.config(dir);
        JsonObject prov = config.has("provenance") ? config.getAsJsonObject("provenance") : new JsonObject();
        if (prov.has("experiment")) {
            JsonObject e = prov.getAsJsonObject("experiment");
            return new Run(dir, e.get("grid").getAsString(), e.get("dataset").getAsString(),
                    e.get("variant").getAsString(), e.get("seed").getAsLong(), config);
        }
        String dataset = config.get("dataset").getAsString().equals("synthetic")
                ? "synthetic-" + config.get("preset").getAsString() : config.get("path").getAsString();
        return new Run(dir, "runs", dataset, dir.getFileName().toString(), config.get("seed").getAsLong(), config);
    }

    private static Table table(String name, String... extra) {
        Table t = Table.create(name, StringColumn.create("run"), StringColumn.create("grid"), StringColumn.create("dataset"),
                StringColumn.create("variant"), LongColumn.create("seed"));
        for (String e : extra) {
            t.addColumns(e.equals("level") ? DoubleColumn.create(e) : StringColumn.create(e));
        }
        t.addColumns(DoubleColumn.create("value"));
        return t;
    }

    private void row(Table t, Run r, double value, String... extra) {
        t.stringColumn("run").append(root.relativize(r.dir()).toString());
        t.stringColumn("grid").append(r.grid());
        t.stringColumn("dataset").append(r.dataset());
        t.stringColumn("variant").append(r.variant());
        t.longColumn("seed").append(r.seed());
        int k = 0;
        for (int c = 5; c < t.columnCount() - 1; c++, k++) {
            if (t.column(c) instanceof DoubleColumn) {
                ((DoubleColumn) t.column(c)).append(Double.parseDouble(extra[k]));
            } else {
                ((StringColumn) t.column(c)).append(extra[k]);
            }
        }
        t.doubleColumn("value").append(value);
    }

    public Path root() {
        return root;
    }

    /** @return every finished run */
    public List<Run> runs() {
        return runs;
    }

    /** @return (run, grid, dataset, variant, seed, metric, value) */
    public Table metrics() {
        return metrics;
    }

    /** @return (run, grid, dataset, variant, seed, perturbation, level, metric, value) */
    public Table robustness() {
        return robustness;
    }

    /** @return (run, grid, dataset, variant, seed, subset, metric, value) for synthetic data */
    public Table subsets() {
        return subsets;
    }

    /**
     * @return the values of one metric by seed for (grid, dataset, variant), seeds ascending
     *     (as a map seed to value)
     */
    public java.util.SortedMap<Long, Double> values(String grid, String dataset, String variant, String metric) {
        java.util.SortedMap<Long, Double> out = new java.util.TreeMap<>();
        for (int i = 0; i < metrics.rowCount(); i++) {
            if (metrics.stringColumn("grid").get(i).equals(grid) && metrics.stringColumn("dataset").get(i).equals(dataset)
                    && metrics.stringColumn("variant").get(i).equals(variant)
                    && metrics.stringColumn("metric").get(i).equals(metric)) {
                out.put(metrics.longColumn("seed").get(i), metrics.doubleColumn("value").get(i));
            }
        }
        return out;
    }
}
