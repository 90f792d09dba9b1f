package org.mecam.experiment.grid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigJson;

/**
 * A grid's {@code grid.json} next to its runs: name, source, description, reference, the variant
 * order with their {@code same_as} aliases and seed counts, the seeds, and the robustness
 * reference; what reports read to lay out a grid's results.
 */
final class GridSpecFile {

    private GridSpecFile() {}

    /**
     * Records the grid's specification in {@code <root>/<grid>/grid.json} (atomically), for reports.
     *
     * @param gridRef the grid's file or built-in name
     */
    static void write(Grid grid, String gridRef, Path root) throws IOException {
        Path dir = root.resolve(Grid.slug(grid.name()));
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".grid", ".json");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", grid.name());
        spec.put("source", gridRef);
        spec.put("description", grid.description());
        spec.put("reference", grid.reference());
        List<String> order = new ArrayList<>();
        Map<String, String> sameAs = new LinkedHashMap<>();
        Map<String, Integer> fewer = new LinkedHashMap<>();
        for (Grid.Variant v : grid.variants()) {
            order.add(v.name());
            if (v.sameAs() != null) {
                sameAs.put(v.name(), v.sameAs());
            } else if (grid.seeds(v) < grid.seeds().size()) {
                fewer.put(v.name(), grid.seeds(v));
            }
        }
        spec.put("variants", order);
        spec.put("same_as", sameAs);
        spec.put("seeds", grid.seeds());
        if (!fewer.isEmpty()) {
            spec.put("variant_seeds", fewer); // absent when every variant runs every seed (older grid.json files)
        }
        spec.put("robustness_reference", grid.sweep() == null ? null : grid.sweep().reference());
        Files.writeString(tmp, ConfigJson.GSON.toJson(spec));
        Files.move(tmp, dir.resolve("grid.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
