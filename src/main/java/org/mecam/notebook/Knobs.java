package org.mecam.notebook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigException;
import org.mecam.config.RunConfig;
import org.mecam.experiment.grid.Grid;

/**
 * The scale every notebook runs at, read once from the environment (so that the same notebooks
 * run at full scale in JupyterLab and at smoke scale in the tests):
 *
 * <ul>
 *   <li>{@code MAX_EPOCH}: at most this many epochs per run (default: each config's own);
 *   <li>{@code DATASET_LIMIT}: at most this many samples per split (default: all);
 *   <li>{@code SEEDS}: a number N (the first N seeds of each grid) or a comma-separated list of
 *       seeds (default: each grid's own);
 *   <li>{@code RESULTS}: the results root (default: the repository's {@code results/} when the
 *       notebook runs from {@code notebooks/}, else {@code results/});
 *   <li>{@code WORKERS}: worker processes for grids (default 1);
 *   <li>{@code GRIDS}: {@code shipped} (default) shows the results shipped in the repository's
 *       {@code docs/results/} (or {@code $SHIPPED_RESULTS}) for the grids they hold, {@code run}
 *       runs the grids instead;
 *   <li>{@code IMAGE_LINKS}: a URL prefix; when set, {@link Notebook#show(Path)} shows an image
 *       file under {@code RESULTS} as an HTML {@code <img>} whose source is the prefix and the
 *       file's path under {@code RESULTS}, instead of embedding its bytes (the notebooks rendered
 *       into {@code docs/notebooks/} link {@code ../results/figures/...}; see
 *       {@code scripts/render-notebooks.sh}).
 * </ul>
 *
 * @param maxEpoch 0 for no limit
 * @param datasetLimit 0 for no limit
 * @param seedCount 0 for the grid's own seeds
 * @param seeds explicit seeds, or empty
 * @param results the results root
 * @param workers worker processes for grids
 * @param showShipped whether grids show the shipped results when they hold them
 * @param shipped the shipped results root, or null when there is none
 * @param imageLinks the URL prefix image files under {@code results} are linked by, or null to embed them
 */
public record Knobs(int maxEpoch, int datasetLimit, int seedCount, List<Long> seeds, Path results, int workers,
        boolean showShipped, Path shipped, String imageLinks) {

    /** @return the knobs of this process's environment */
    public static Knobs fromEnvironment() {
        return from(System.getenv(), Path.of(""));
    }

    /**
     * @param env the variables
     * @param cwd the directory relative results paths start from
     */
    public static Knobs from(Map<String, String> env, Path cwd) {
        int maxEpoch = positive(env, "MAX_EPOCH");
        int limit = positive(env, "DATASET_LIMIT");
        int workers = Math.max(1, positive(env, "WORKERS"));
        int count = 0;
        List<Long> seeds = new ArrayList<>();
        String s = env.get("SEEDS");
        if (s != null && !s.isBlank()) {
            try {
                if (s.contains(",")) {
                    for (String part : s.split(",")) {
                        if (!part.isBlank()) {
                            seeds.add(Long.parseLong(part.trim()));
                        }
                    }
                } else {
                    count = Integer.parseInt(s.trim());
                    if (count < 1) {
                        throw new NumberFormatException();
                    }
                }
            } catch (NumberFormatException e) {
                throw new ConfigException("SEEDS='" + s + "': give a number of seeds (SEEDS=2: the first two seeds of"
                        + " each grid) or a comma-separated list of seeds (SEEDS=1111,1112; one seed: SEEDS=1111,)");
            }
        }
        String r = env.get("RESULTS");
        Path results;
        if (r != null && !r.isBlank()) {
            results = cwd.resolve(r);
        } else if (Files.isRegularFile(cwd.resolve("../pom.xml")) && Files.isDirectory(cwd.resolve("../notebooks"))) {
            results = cwd.resolve("../results");
        } else {
            results = cwd.resolve("results");
        }
        String g = env.getOrDefault("GRIDS", "shipped").trim();
        if (!g.equals("shipped") && !g.equals("run") && !g.isEmpty()) {
            throw new ConfigException("GRIDS='" + g + "': give shipped (show docs/results when it holds the grid) or run");
        }
        String sr = env.get("SHIPPED_RESULTS");
        Path shipped = sr != null && !sr.isBlank() ? cwd.resolve(sr)
                : Files.isRegularFile(cwd.resolve("../pom.xml")) ? cwd.resolve("../docs/results") : cwd.resolve("docs/results");
        shipped = Files.isDirectory(shipped) ? shipped.toAbsolutePath().normalize() : null;
        String links = env.get("IMAGE_LINKS");
        links = links == null || links.isBlank() ? null : links.trim().replaceAll("/+$", "");
        return new Knobs(maxEpoch, limit, count, List.copyOf(seeds), results.toAbsolutePath().normalize(), workers,
                !g.equals("run"), shipped, links);
    }

    /**
     * @return the URL {@code IMAGE_LINKS} gives a file under the results root (each path segment
     *     percent-encoded), or null when it is unset or the file lies elsewhere
     */
    public String imageLink(Path file) {
        if (imageLinks == null) {
            return null;
        }
        Path f = file.toAbsolutePath().normalize();
        if (!f.startsWith(results) || f.equals(results)) {
            return null;
        }
        StringBuilder url = new StringBuilder(imageLinks);
        for (Path segment : results.relativize(f)) {
            url.append('/');
            for (byte b : segment.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                    url.append(c);
                } else {
                    url.append('%').append(String.format(java.util.Locale.ROOT, "%02X", b & 0xff));
                }
            }
        }
        return url.toString();
    }

    private static int positive(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key + "='" + v + "' is not a whole number >= 1 (unset it for full scale)");
    }

    /** @return whether any knob makes runs smaller than the configs and grids say */
    public boolean smoke() {
        return maxEpoch > 0 || datasetLimit > 0 || seedCount > 0 || !seeds.isEmpty();
    }

    /** @return a copy of the config at this scale, writing under {@link #results()} */
    public RunConfig apply(RunConfig config) {
        RunConfig c = config.copy();
        if (maxEpoch > 0) {
            c.epochs = Math.min(c.epochs, maxEpoch);
        }
        if (datasetLimit > 0) {
            c.datasetLimit = c.datasetLimit > 0 ? Math.min(c.datasetLimit, datasetLimit) : datasetLimit;
        }
        c.results = results.toString();
        c.validate();
        return c;
    }

    /** @return the grid at this scale (see {@link Grid#scaled}) */
    public Grid apply(Grid grid) {
        List<Long> chosen = null;
        if (!seeds.isEmpty()) {
            chosen = seeds;
        } else if (seedCount > 0) {
            if (seedCount > grid.seeds().size()) {
                throw new ConfigException("SEEDS=" + seedCount + " asks for more seeds than grid '" + grid.name()
                        + "' has (" + grid.seeds() + "); to name seeds give a list: SEEDS=1111,1112");
            }
            chosen = grid.seeds().subList(0, seedCount);
        }
        return grid.scaled(maxEpoch, datasetLimit, chosen);
    }

    @Override
    public String toString() {
        String grids = (showShipped ? "; grids: shipped results where " + (shipped == null ? "docs/results" : shipped)
                + " holds them (GRIDS=run runs them)" : "; grids: run (GRIDS=run)")
                + (imageLinks == null ? "" : "; image files under the results linked as " + imageLinks + "/...");
        if (!smoke()) {
            return "full scale (MAX_EPOCH, DATASET_LIMIT, SEEDS unset); results under " + results + grids;
        }
        List<String> parts = new ArrayList<>();
        if (maxEpoch > 0) {
            parts.add("MAX_EPOCH=" + maxEpoch);
        }
        if (datasetLimit > 0) {
            parts.add("DATASET_LIMIT=" + datasetLimit);
        }
        if (seedCount > 0) {
            parts.add("SEEDS=" + seedCount);
        } else if (!seeds.isEmpty()) {
            parts.add("SEEDS=" + seeds);
        }
        return "smoke scale (" + String.join(", ", parts) + "); results under " + results + grids;
    }
}
