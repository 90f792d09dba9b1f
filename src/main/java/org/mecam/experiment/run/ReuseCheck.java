package org.mecam.experiment.run;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.data.batch.Perturbation;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.protocol.Robustness;

/**
 * Whether a finished run directory can stand for a run the grid asks for: the same configuration
 * (keys that do not change what a run computes aside, keys added since with their defaults
 * matching) and every robustness result the grid asks for.
 */
public final class ReuseCheck {

    /**
     * Keys that do not change what a run computes (the runtime keys added since runs were shipped
     * change its last bits or draws: {@link ReusedRun} compares those).
     */
    private static final Set<String> NOT_COMPARED = notCompared();

    private static Set<String> notCompared() {
        Set<String> keys = new TreeSet<>(Set.of("results", "threads", "device", "name", "diagnosticsEvery", "provenance"));
        keys.addAll(ConfigJson.addedRuntimeKeys());
        return Set.copyOf(keys);
    }

    private ReuseCheck() {}

    /**
     * A finished run directory is kept only when it holds the configuration the grid asks for now;
     * otherwise (the grid file was edited, or smoke-scale runs sit where full ones should go) the
     * grid stops with the directory and the first differing key instead of mixing results.
     */
    public static void check(Path dir, RunConfig expected, RunOptions options) {
        check(dir, expected);
        if (options.robustness().isEmpty()) {
            return;
        }
        Path file = dir.resolve(RunFiles.ROBUSTNESS);
        Set<String> want = new TreeSet<>();
        for (Perturbation.Kind k : options.robustness()) {
            for (double level : options.levels()) {
                want.add(k.key() + " at " + Robustness.level(level));
            }
        }
        Set<String> have = new TreeSet<>();
        if (Files.isRegularFile(file)) {
            try {
                org.mecam.data.io.Csv csv = RunFiles.robustness(dir);
                int perturbation = csv.column("perturbation");
                int level = csv.column("level");
                for (int i = 0; i < csv.size(); i++) {
                    have.add(csv.get(i, perturbation) + " at " + csv.get(i, level));
                }
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(file + ": cannot read the robustness results of a finished run ("
                        + e.getMessage() + "); delete " + dir + " to run it again");
            }
        }
        if (!have.containsAll(want)) {
            Set<String> missing = new TreeSet<>(want);
            missing.removeAll(have);
            throw new ConfigException(file + ": this run was evaluated without robustness " + missing.iterator().next()
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : "")
                    + ", which the grid now asks for; delete the directory (or use another --results root) to run it again");
        }
    }

    /** {@link #check(Path, RunConfig, RunOptions)} without robustness results. */
    public static void check(Path dir, RunConfig expected) {
        Path file = dir.resolve(RunFiles.CONFIG);
        JsonObject have;
        try {
            have = RunFiles.config(dir);
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": cannot read the configuration of a finished run (" + e.getMessage()
                    + "); delete " + dir + " to run it again");
        }
        JsonObject want = ConfigJson.GSON.toJsonTree(expected).getAsJsonObject();
        JsonObject defaults = ConfigJson.GSON.toJsonTree(new RunConfig()).getAsJsonObject();
        for (String key : want.keySet()) {
            // a key that a run made by an older version lacks matches while the grid asks for its default:
            // new settings are added with defaults that keep the behaviour they had before they existed
            boolean addedSince = !have.has(key) && Objects.equals(want.get(key), defaults.get(key));
            if (!NOT_COMPARED.contains(key) && !addedSince && !Objects.equals(have.get(key), want.get(key))) {
                throw new ConfigException(file + ": this run was made with " + key + " = " + have.get(key)
                        + " but the grid now asks for " + key + " = " + want.get(key)
                        + "; delete the directory (or use another --results root) to run it again");
            }
        }
    }
}
