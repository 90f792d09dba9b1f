package org.mecam.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.experiment.grid.Grid;

/** The notebooks' knobs: smoke-scale configs and grids, shipped results, bad values named. */
class KnobsTest {

    @TempDir
    Path tmp;

    @Test
    void knobsScaleConfigsAndGridsAndNameBadValues() throws java.io.IOException {
        Knobs full = Knobs.from(Map.of(), tmp);
        assertFalse(full.smoke());
        assertEquals(tmp.resolve("results").toAbsolutePath(), full.results());
        RunConfig mosi = ConfigJson.load("mosi");
        RunConfig same = full.apply(mosi);
        assertEquals(mosi.epochs, same.epochs);
        assertEquals(0, same.datasetLimit);

        Knobs smoke = Knobs.from(Map.of("MAX_EPOCH", "2", "DATASET_LIMIT", "40", "SEEDS", "2", "RESULTS", "out"), tmp);
        assertTrue(smoke.smoke());
        RunConfig small = smoke.apply(mosi);
        assertEquals(2, small.epochs);
        assertEquals(40, small.datasetLimit);
        assertEquals(tmp.resolve("out").toAbsolutePath().toString(), small.results);
        assertEquals(mosi.epochs, ConfigJson.load("mosi").epochs, "the given config is not changed");

        Grid g = smoke.apply(Grid.load("ablations-mosi"));
        assertEquals(List.of(1111L, 1112L), g.seeds());
        assertEquals("ablations-mosi (epochs<=2, 40 per split)", g.name(), "limited runs never share a directory with full ones");
        assertTrue(g.expand().stream().allMatch(r -> r.config().epochs == 2 && r.config().datasetLimit == 40));
        assertEquals(22 * 2, g.expand().size());

        Grid listed = Knobs.from(Map.of("SEEDS", "1113,1111"), tmp).apply(Grid.load("smoke"));
        assertEquals(List.of(1113L, 1111L), listed.seeds());
        assertEquals("smoke", listed.name(), "a seed subset keeps the grid's name: its runs are the same runs");

        // grids show the shipped results by default, when there are any
        assertTrue(full.showShipped());
        assertEquals(null, full.shipped(), "no docs/results under " + tmp);
        java.nio.file.Files.createDirectories(tmp.resolve("docs").resolve("results"));
        Knobs withShipped = Knobs.from(Map.of(), tmp);
        assertEquals(tmp.resolve("docs").resolve("results").toAbsolutePath(), withShipped.shipped());
        assertFalse(Knobs.from(Map.of("GRIDS", "run"), tmp).showShipped());
        assertThrows(ConfigException.class, () -> Knobs.from(Map.of("GRIDS", "both"), tmp));

        assertThrows(ConfigException.class, () -> Knobs.from(Map.of("MAX_EPOCH", "0"), tmp));
        ConfigException e = assertThrows(ConfigException.class, () -> Knobs.from(Map.of("DATASET_LIMIT", "ten"), tmp));
        assertTrue(e.getMessage().contains("DATASET_LIMIT='ten'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Knobs.from(Map.of("SEEDS", "1111"), tmp).apply(Grid.load("smoke")));
        assertTrue(e.getMessage().contains("SEEDS=1111,1112"), "says how to name one seed: " + e.getMessage());
    }

    @Test
    void imageLinksNameFilesUnderTheResultsRootRelativeToAPrefix() {
        Knobs plain = Knobs.from(Map.of("RESULTS", "res"), tmp);
        assertEquals(null, plain.imageLinks());
        assertEquals(null, plain.imageLink(tmp.resolve("res/figures/a.png")), "unset: images are embedded");
        Knobs linked = Knobs.from(Map.of("RESULTS", "res", "IMAGE_LINKS", "../results/"), tmp);
        assertEquals("../results/figures/a-b_c.png", linked.imageLink(tmp.resolve("res/figures/a-b_c.png")));
        assertEquals("../results/figures/grid%20%28epochs%3C%3D1%29%2Bx%C3%A9.png",
                linked.imageLink(tmp.resolve("res").resolve("figures").resolve("grid (epochs<=1)+x\u00e9.png")),
                "each segment percent-encoded");
        assertEquals(null, linked.imageLink(tmp.resolve("elsewhere/a.png")), "files outside the results root are embedded");
        assertEquals(null, linked.imageLink(tmp.resolve("res/../elsewhere/a.png")));
        assertTrue(linked.toString().endsWith("; image files under the results linked as ../results/..."), linked.toString());
    }

    @Test
    void scaledGridsRoundTripThroughTheirJson() throws Exception {
        Grid g = Grid.load("smoke").scaled(1, 20, List.of(1112L));
        Path file = tmp.resolve("g.json");
        Files.writeString(file, g.json());
        Grid back = Grid.load(file.toString());
        assertEquals(g.name(), back.name());
        assertEquals(1, back.maxEpochs());
        assertEquals(20, back.datasetLimit());
        assertEquals(g.expand().size(), back.expand().size());
        for (int i = 0; i < g.expand().size(); i++) {
            assertEquals(ConfigJson.toJson(g.expand().get(i).config()), ConfigJson.toJson(back.expand().get(i).config()));
        }
        assertEquals(g.name(), back.scaled(1, 20, null).name(), "scaling again to the same limits keeps the name");
    }
}
