package org.mecam.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.run.ResultStore;
import tech.tablesaw.api.Table;

/**
 * The order, aliases and references of a grid's variants, and how many seeds each should have
 * (from its grid.json when present; 0 when unknown).
 */
record GridSpec(String name, List<String> variants, Map<String, String> sameAs, String reference,
        String robustnessReference, int seeds, Map<String, Integer> variantSeeds) {

    String runVariant(String v) {
        return sameAs.getOrDefault(v, v);
    }

    /** @return how many seeds the grid planned for a variant (a same_as variant: its twin's) */
    int seeds(String variant) {
        return Math.min(seeds, variantSeeds.getOrDefault(runVariant(variant), seeds));
    }

    static GridSpec read(Path root, String grid, ResultStore store) throws IOException {
        Path file = root.resolve(Grid.slug(grid)).resolve("grid.json");
        if (!Files.isRegularFile(file) && Files.isRegularFile(root.resolve("grid.json"))) {
            file = root.resolve("grid.json");
        }
        List<String> variants = new ArrayList<>();
        Map<String, String> sameAs = new LinkedHashMap<>();
        String reference = null;
        String robRef = null;
        int seeds = 0;
        Map<String, Integer> variantSeeds = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            JsonObject j = org.mecam.config.ConfigJson.parse(Files.readString(file)).getAsJsonObject();
            for (JsonElement e : j.getAsJsonArray("variants")) {
                variants.add(e.getAsString());
            }
            j.getAsJsonObject("same_as").entrySet().forEach(e -> sameAs.put(e.getKey(), e.getValue().getAsString()));
            reference = j.get("reference").isJsonNull() ? null : j.get("reference").getAsString();
            robRef = j.get("robustness_reference") == null || j.get("robustness_reference").isJsonNull() ? null
                    : j.get("robustness_reference").getAsString();
            seeds = j.has("seeds") && j.get("seeds").isJsonArray() ? j.getAsJsonArray("seeds").size() : 0;
            if (j.has("variant_seeds") && j.get("variant_seeds").isJsonObject()) {
                j.getAsJsonObject("variant_seeds").entrySet().forEach(e -> variantSeeds.put(e.getKey(), e.getValue().getAsInt()));
            }
        } else {
            Table m = store.metrics();
            for (int i = 0; i < m.rowCount(); i++) {
                if (m.stringColumn("grid").get(i).equals(grid) && !variants.contains(m.stringColumn("variant").get(i))) {
                    variants.add(m.stringColumn("variant").get(i));
                }
            }
        }
        return new GridSpec(grid, variants, sameAs, reference == null && !variants.isEmpty() ? variants.get(0) : reference,
                robRef, seeds, variantSeeds);
    }
}
