package org.mecam.experiment.grid;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.data.batch.Perturbation;

/**
 * Reading a {@link Grid}: its file or built-in resource, and its JSON into names, seeds,
 * datasets, variants, references, robustness sweep and limits, each value checked (unknown keys,
 * types, duplicates, names that would share a run directory, references to no variant), each
 * error naming the file and the path to the value. The runs' configurations are checked by the
 * grid itself, once it can expand them.
 */
final class GridParser {

    private static final Set<String> KEYS = Set.of("name", "description", "base", "seeds", "datasets", "reference",
            "variants", "robustness", "limits", "seed_draws_data");
    private static final Set<String> SWEEP_KEYS = Set.of("perturbations", "levels", "reference");

    /** A grid's parts as its JSON declares them. */
    record Parsed(String name, String description, JsonObject base, List<Long> seeds, List<Grid.Dataset> datasets,
            List<Grid.Variant> variants, String reference, Grid.Sweep sweep, int maxEpochs, int datasetLimit,
            boolean seedDrawsData) {}

    private final String source;
    private final GridJson reader;

    private GridParser(String source) {
        this.source = source;
        this.reader = new GridJson(source);
    }

    /**
     * Loads a grid from a file, or a built-in one by name.
     *
     * @see Grid#load
     */
    static Grid load(String fileOrName) {
        Path p = Paths.get(fileOrName);
        String text;
        String source;
        try {
            if (Files.isRegularFile(p)) {
                text = Files.readString(p, StandardCharsets.UTF_8);
                source = p.toString();
            } else {
                try (InputStream in = Grid.class.getResourceAsStream("/experiments/" + fileOrName + ".json")) {
                    if (in == null) {
                        throw new ConfigException("grid: file not found: " + p.toAbsolutePath()
                                + " (and no built-in grid named '" + fileOrName + "'; built-ins: " + Grid.builtIns() + ")");
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    source = "built-in grid " + fileOrName;
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read grid " + fileOrName + ": " + e.getMessage(), e);
        }
        try {
            return new Grid(ConfigJson.parse(text).getAsJsonObject(), source);
        } catch (JsonParseException | IllegalStateException | ClassCastException | UnsupportedOperationException e) {
            throw new ConfigException(source + ": not a valid grid: "
                    + (e instanceof JsonParseException ? ConfigJson.jsonError(e) : e.getMessage()), e);
        }
    }

    /**
     * @param source the file or built-in name, for messages
     * @throws ConfigException naming {@code source} and the value at fault
     */
    static Parsed parse(JsonObject json, String source) {
        return new GridParser(source).parse(json);
    }

    private Parsed parse(JsonObject json) {
        for (String key : json.keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConfigException(source + ": unknown key '" + key + "' (known: " + KEYS + ")");
            }
        }
        String name = reader.text(json, "name", "name", null);
        String description = reader.text(json, "description", "description", "");
        JsonObject base = reader.object(json, "base", "base", null);
        List<Long> seeds = new ArrayList<>();
        if (!json.has("seeds")) {
            seeds.addAll(List.of(1111L, 1112L, 1113L, 1114L, 1115L));
        } else {
            JsonArray s = reader.array(json, "seeds");
            for (int i = 0; i < s.size(); i++) {
                seeds.add(reader.integer(s.get(i), "seeds[" + i + "]"));
            }
        }
        List<Grid.Dataset> datasets = new ArrayList<>();
        if (json.has("datasets")) {
            JsonArray a = reader.array(json, "datasets");
            for (int i = 0; i < a.size(); i++) {
                String where = "datasets[" + i + "]";
                JsonObject d = reader.element(a.get(i), where, Set.of("name", "config"));
                datasets.add(new Grid.Dataset(reader.required(d, where), reader.object(d, "config", where + ".config", null)));
            }
        } else {
            datasets.add(new Grid.Dataset("synthetic", new JsonObject()));
        }
        List<Grid.Variant> variants = new ArrayList<>();
        JsonArray va = reader.array(json, "variants");
        for (int i = 0; i < va.size(); i++) {
            String where = "variants[" + i + "]";
            JsonObject v = reader.element(va.get(i), where, Set.of("name", "config", "same_as", "max_seeds"));
            long max = v.has("max_seeds") ? reader.integer(v.get("max_seeds"), where + ".max_seeds") : 0;
            if (v.has("max_seeds") && (max < 1 || v.has("same_as"))) {
                throw new ConfigException(source + ": " + where + ".max_seeds must be >= 1 and cannot go with same_as"
                        + " (a same_as variant reports its twin's seeds), got " + v.get("max_seeds"));
            }
            variants.add(new Grid.Variant(reader.required(v, where), reader.object(v, "config", where + ".config", null),
                    reader.text(v, "same_as", where + ".same_as", null), (int) max));
        }
        String reference = reader.text(json, "reference", "reference", variants.isEmpty() ? null : variants.get(0).name());
        Grid.Sweep sweep = json.has("robustness") ? sweep(reader.object(json, "robustness", "robustness", SWEEP_KEYS)) : null;
        JsonObject limits = reader.object(json, "limits", "limits", Set.of("maxEpochs", "datasetLimit"));
        int maxEpochs = limits.has("maxEpochs") ? (int) reader.integer(limits.get("maxEpochs"), "limits.maxEpochs") : 0;
        int datasetLimit = limits.has("datasetLimit") ? (int) reader.integer(limits.get("datasetLimit"), "limits.datasetLimit") : 0;
        if (maxEpochs < 0 || datasetLimit < 0) {
            throw new ConfigException(source + ": limits must be >= 0 (0 = no limit), got maxEpochs " + maxEpochs
                    + ", datasetLimit " + datasetLimit);
        }
        boolean seedDrawsData = reader.bool(json, "seed_draws_data", "seed_draws_data", false);
        Parsed p = new Parsed(name, description, base, seeds, datasets, variants, reference, sweep, maxEpochs, datasetLimit,
                seedDrawsData);
        check(p);
        return p;
    }

    private Grid.Sweep sweep(JsonObject r) {
        List<Perturbation.Kind> kinds = new ArrayList<>();
        JsonArray ka = reader.array(r, "perturbations", "robustness.perturbations");
        for (int i = 0; i < ka.size(); i++) {
            String where = "robustness.perturbations[" + i + "]";
            try {
                kinds.add(Perturbation.Kind.of(reader.text(ka.get(i), where)));
            } catch (ConfigException e) {
                throw new ConfigException(source + ": " + where + ": " + e.getMessage(), e);
            }
        }
        List<Double> levels = new ArrayList<>();
        JsonArray la = reader.array(r, "levels", "robustness.levels");
        for (int i = 0; i < la.size(); i++) {
            double p = reader.number(la.get(i), "robustness.levels[" + i + "]");
            if (!(p >= 0 && p <= 1)) {
                throw new ConfigException(source + ": robustness level " + p + " is outside [0, 1]");
            }
            levels.add(p);
        }
        if (levels.isEmpty() || levels.get(0) != 0) {
            throw new ConfigException(source + ": robustness levels must start at 0 (the unperturbed test set)");
        }
        return new Grid.Sweep(kinds, levels, reader.text(r, "reference", "robustness.reference", null));
    }

    private void check(Parsed g) {
        if (g.name() == null || g.name().isBlank()) {
            throw new ConfigException(source + ": the grid needs a \"name\"");
        }
        if (g.variants().isEmpty() || g.seeds().isEmpty()) {
            throw new ConfigException(source + ": the grid needs at least one variant and one seed");
        }
        if (g.datasets().isEmpty()) {
            throw new ConfigException(source + ": \"datasets\" is empty (leave it out for the synthetic default)");
        }
        if (new java.util.HashSet<>(g.seeds()).size() != g.seeds().size()) {
            throw new ConfigException(source + ": \"seeds\" lists a seed twice: " + g.seeds());
        }
        Set<String> names = new java.util.HashSet<>();
        Map<String, String> dirs = new LinkedHashMap<>();
        for (Grid.Variant v : g.variants()) {
            if (!names.add(v.name())) {
                throw new ConfigException(source + ": variant '" + v.name() + "' is declared twice");
            }
            String other = dirs.put(Grid.slug(v.name()), v.name());
            if (other != null) {
                throw new ConfigException(source + ": variants '" + other + "' and '" + v.name()
                        + "' would share the run directory '" + Grid.slug(v.name()) + "': rename one");
            }
        }
        dirs.clear();
        for (Grid.Dataset d : g.datasets()) {
            String other = dirs.put(Grid.slug(d.name()), d.name());
            if (other != null) {
                throw new ConfigException(source + ": datasets '" + other + "' and '" + d.name()
                        + "' would share the run directory '" + Grid.slug(d.name()) + "': rename one");
            }
        }
        for (Grid.Variant v : g.variants()) {
            if (v.sameAs() != null && (!names.contains(v.sameAs()) || variant(g, v.sameAs()).sameAs() != null)) {
                throw new ConfigException(source + ": variant '" + v.name() + "' is same_as '" + v.sameAs()
                        + "', which is not a run variant of this grid");
            }
        }
        if (!names.contains(g.reference())) {
            throw new ConfigException(source + ": reference variant '" + g.reference() + "' is not a variant");
        }
        if (g.sweep() != null && g.sweep().reference() != null && !names.contains(g.sweep().reference())) {
            throw new ConfigException(source + ": robustness reference '" + g.sweep().reference() + "' is not a variant");
        }
    }

    /** @return the variant named {@code name}, which the grid declares */
    private static Grid.Variant variant(Parsed g, String name) {
        return g.variants().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }
}
