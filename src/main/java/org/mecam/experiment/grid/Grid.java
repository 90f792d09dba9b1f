package org.mecam.experiment.grid;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.data.batch.Perturbation;
import org.mecam.experiment.RunOptions;

/**
 * An experiment grid: named variants x seeds x datasets, declared in JSON.
 *
 * <pre>{@code
 * {
 *   "name": "ablations-mosi",
 *   "description": "...",
 *   "base": {"config": "mosi", "epochs": 40},
 *   "seeds": [1111, 1112, 1113, 1114, 1115],
 *   "datasets": [{"name": "synthetic-mosi", "config": {"preset": "mosi"}}],
 *   "reference": "full",
 *   "variants": [
 *     {"name": "full"},
 *     {"name": "w/o contrastive filter", "config": {"alpha": 0}},
 *     {"name": "positives=class7", "same_as": "full"},
 *     {"name": "BERT fine-tuned", "config": {"textMode": "bert"}, "max_seeds": 3}
 *   ],
 *   "robustness": {"perturbations": ["audio-drop", "text-shuffle"], "levels": [0, 0.5], "reference": "late fusion"}
 * }
 * }</pre>
 *
 * A run's config is the base (a built-in or file config named by "config", then the other keys),
 * then the dataset's keys, then the variant's, then the seed. A variant "same_as" another is the
 * same configuration under a second name: reported, not run again. A variant with
 * {@code "max_seeds": n} runs only the first n of the grid's seeds (a variant too slow to be worth
 * them all; reports say how many seeds each row has and count only its own as missing). An optional
 * {@code "limits": {"maxEpochs": 2, "datasetLimit": 64}} caps every run's epochs and samples per
 * split after merging (smoke runs; see {@link #scaled}). With {@code "seed_draws_data": true} a
 * seed also draws the synthetic data ({@code dataSeed} = the seed), so that the runs of one seed
 * share one draw and seeds vary both the model's initialisation and the data.
 */
public final class Grid {

    /** A dataset of the grid. */
    public record Dataset(String name, JsonObject config) {}

    /**
     * A variant; {@code sameAs} names the variant it duplicates, or is null; {@code maxSeeds} > 0
     * limits it to the first that many of the grid's seeds (0: all of them).
     */
    public record Variant(String name, JsonObject config, String sameAs, int maxSeeds) {}

    /** The robustness sweep: perturbations, levels, and the reference method of effective robustness. */
    public record Sweep(List<Perturbation.Kind> perturbations, List<Double> levels, String reference) {}

    /** One run of the grid. */
    public record RunSpec(String dataset, String variant, long seed, RunConfig config) {

        /** @return the run's directory under the results root */
        public Path dir(Path root, String grid) {
            return root.resolve(slug(grid)).resolve(slug(dataset)).resolve(slug(variant)).resolve("seed-" + seed);
        }
    }

    private final String name;
    private final String description;
    private final JsonObject base;
    private final List<Long> seeds;
    private final List<Dataset> datasets;
    private final List<Variant> variants;
    private final String reference;
    private final Sweep sweep;
    private final String source;
    private final JsonObject json;
    private final int maxEpochs;
    private final int datasetLimit;
    private final boolean seedDrawsData;

    /**
     * @param source the file or built-in name, for messages
     * @throws ConfigException naming {@code source} and the value at fault ({@link GridParser}), or the
     *     variant and dataset whose merged configuration is invalid
     */
    Grid(JsonObject json, String source) {
        this.source = source;
        this.json = json.deepCopy();
        GridParser.Parsed p = GridParser.parse(json, source);
        name = p.name();
        description = p.description();
        base = p.base();
        seeds = p.seeds();
        datasets = p.datasets();
        variants = p.variants();
        reference = p.reference();
        sweep = p.sweep();
        maxEpochs = p.maxEpochs();
        datasetLimit = p.datasetLimit();
        seedDrawsData = p.seedDrawsData();
        for (RunSpec spec : expand()) {
            try {
                spec.config().validate();
            } catch (ConfigException e) {
                throw new ConfigException(source + ": variant '" + spec.variant() + "' on dataset '" + spec.dataset()
                        + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * A smaller copy of this grid for smoke runs and tests: every run trains at most
     * {@code maxEpochs} epochs on at most {@code datasetLimit} samples per split, over
     * {@code seeds}. Limits change the runs, so a limited grid gets its own name (and results
     * directory), e.g. {@code ablations-mosi (epochs<=1, 64 per split)}; a grid limited to a
     * subset of its seeds only keeps the name.
     *
     * @param maxEpochs 0 for no limit
     * @param datasetLimit 0 for no limit
     * @param seeds the seeds to run, or null for the grid's own
     */
    public Grid scaled(int maxEpochs, int datasetLimit, List<Long> seeds) {
        JsonObject copy = json.deepCopy();
        JsonObject limits = new JsonObject();
        int e = maxEpochs > 0 ? (this.maxEpochs > 0 ? Math.min(this.maxEpochs, maxEpochs) : maxEpochs) : this.maxEpochs;
        int n = datasetLimit > 0 ? (this.datasetLimit > 0 ? Math.min(this.datasetLimit, datasetLimit) : datasetLimit)
                : this.datasetLimit;
        if (e > 0) {
            limits.addProperty("maxEpochs", e);
        }
        if (n > 0) {
            limits.addProperty("datasetLimit", n);
        }
        copy.add("limits", limits);
        if (seeds != null) {
            if (seeds.isEmpty()) {
                throw new ConfigException(source + ": a scaled grid needs at least one seed");
            }
            JsonArray s = new JsonArray();
            seeds.forEach(s::add);
            copy.add("seeds", s);
        }
        if ((e != this.maxEpochs || n != this.datasetLimit) && (e > 0 || n > 0)) {
            String base = json.has("name") ? json.get("name").getAsString().replaceAll(" \\((epochs<=\\d+|\\d+ per split)(, \\d+ per split)?\\)$", "") : name;
            List<String> parts = new ArrayList<>();
            if (e > 0) {
                parts.add("epochs<=" + e);
            }
            if (n > 0) {
                parts.add(n + " per split");
            }
            copy.addProperty("name", base + " (" + String.join(", ", parts) + ")");
        }
        return new Grid(copy, source + (e > 0 || n > 0 ? ", limited" : ""));
    }

    /** @return the grid as JSON (what {@link #load} reads back), e.g. for worker processes of a scaled grid */
    public String json() {
        return ConfigJson.GSON.toJson(json);
    }

    /** @return the epoch cap of every run (0: none) */
    public int maxEpochs() {
        return maxEpochs;
    }

    /** @return the samples-per-split cap of every run (0: none) */
    public int datasetLimit() {
        return datasetLimit;
    }

    /**
     * Loads a grid from a file, or a built-in one by name ({@code smoke}, {@code ablations-mosi},
     * {@code robustness-mosi}, ...).
     */
    public static Grid load(String fileOrName) {
        return GridParser.load(fileOrName);
    }

    /** @return the names of the built-in grids */
    public static List<String> builtIns() {
        return List.of("smoke", "smoke-robustness", "ablations-mosi", "robustness-mosi", "alpha-sweep-mosi",
                "negative-fraction-mosi", "smoke-negative-fraction", "complementary-pilot", "complementary-modalities",
                "complementary-negative");
    }

    /** @return every run of the grid (variants that are same_as another are not runs) */
    public List<RunSpec> expand() {
        List<RunSpec> out = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) { // seed-major: an interrupted grid holds whole seeds, which paired tests can use
            long seed = seeds.get(i);
            for (Dataset d : datasets) {
                for (Variant v : variants) {
                    if (v.sameAs() == null && i < seeds(v)) {
                        out.add(new RunSpec(d.name(), v.name(), seed, config(d, v, seed)));
                    }
                }
            }
        }
        return out;
    }

    private RunConfig config(Dataset d, Variant v, long seed) {
        JsonObject merged = new JsonObject();
        JsonObject rest = base.deepCopy();
        if (rest.has("config")) {
            String named = rest.remove("config").getAsString();
            ConfigJson.GSON.toJsonTree(ConfigJson.load(named)).getAsJsonObject().entrySet()
                    .forEach(e -> merged.add(e.getKey(), e.getValue()));
        }
        for (JsonObject layer : new JsonObject[] {rest, d.config(), v.config()}) {
            layer.entrySet().forEach(e -> merged.add(e.getKey(), e.getValue()));
        }
        merged.addProperty("seed", seed);
        if (seedDrawsData) {
            merged.addProperty("dataSeed", seed);
        }
        RunConfig c = ConfigJson.fromJson(merged.toString(), source + ", variant '" + v.name() + "', dataset '" + d.name() + "'");
        if (maxEpochs > 0) {
            c.epochs = Math.min(c.epochs, maxEpochs);
        }
        if (datasetLimit > 0) {
            c.datasetLimit = c.datasetLimit > 0 ? Math.min(c.datasetLimit, datasetLimit) : datasetLimit;
        }
        return c;
    }

    /** @return labels recorded in each run's provenance */
    public Map<String, String> labels(RunSpec spec) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("grid", name);
        m.put("dataset", spec.dataset());
        m.put("variant", spec.variant());
        m.put("seed", Long.toString(spec.seed()));
        return m;
    }

    /** @return the run options of a spec: labels and the robustness sweep */
    public RunOptions options(RunSpec spec) {
        return sweep == null ? new RunOptions(labels(spec), List.of(), List.of())
                : new RunOptions(labels(spec), sweep.perturbations(), sweep.levels());
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public List<Long> seeds() {
        return seeds;
    }

    /** @return how many of the grid's seeds a variant runs (a same_as variant: its twin's) */
    public int seeds(Variant v) {
        Variant run = v.sameAs() == null ? v : variant(v.sameAs());
        return run.maxSeeds() > 0 ? Math.min(run.maxSeeds(), seeds.size()) : seeds.size();
    }

    public List<Dataset> datasets() {
        return datasets;
    }

    public List<Variant> variants() {
        return variants;
    }

    /** @return the variant the ablation table compares against */
    public String reference() {
        return reference;
    }

    /** @return the robustness sweep, or null */
    public Sweep sweep() {
        return sweep;
    }

    /** @return the variant with this name */
    public Variant variant(String variantName) {
        return variants.stream().filter(v -> v.name().equals(variantName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no variant " + variantName));
    }

    /** @return the variant whose runs a (possibly same_as) variant reports */
    public String runVariant(String variantName) {
        Variant v = variant(variantName);
        return v.sameAs() == null ? v.name() : v.sameAs();
    }

    /** @return a file-system-safe form of a name */
    public static String slug(String s) {
        String out = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return out.isEmpty() ? "x" : out;
    }
}
