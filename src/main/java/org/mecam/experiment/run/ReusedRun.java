package org.mecam.experiment.run;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mecam.config.ConfigJson;
import org.mecam.config.IoFailure;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.method.MecamMethod;
import org.mecam.experiment.protocol.Robustness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A grid run that another grid under the same results root has already trained: when a finished
 * MECAM run elsewhere under the root was made with the same configuration (every key that changes
 * what a run computes, as {@link ReuseCheck#check} compares them, seed included), the run
 * is not trained again. Its directory is copied, its checkpoint is evaluated on the test split,
 * which must give the saved predictions exactly (otherwise the run is trained as usual), and the
 * grid's robustness sweep is evaluated on it. The copy's {@code config.json} carries this grid's
 * labels and {@code provenance.reused}: the run it came from, when the evaluation started and
 * finished, and that its predictions were reproduced. The robustness grid after the ablation grid thus costs evaluations, not trainings.
 */
public final class ReusedRun {

    private static final Logger LOG = LoggerFactory.getLogger(ReusedRun.class);

    /** The provenance key of a reused run. */
    public static final String REUSED = "reused";

    private ReusedRun() {}

    /**
     * @param gridDir the grid's own folder under the root (never searched)
     * @return a finished MECAM run under {@code root} made with {@code config}, or null
     */
    public static Path twin(Path root, Path gridDir, RunConfig config) {
        if (!config.methodKind().trainsNeuralModel() || !Files.isDirectory(root)) {
            return null;
        }
        String seed = "seed-" + config.seed;
        try (Stream<Path> runs = Files.walk(root, 4)) {
            // <root>/<grid>/<dataset>/<variant>/seed-N, in a stable order
            List<Path> candidates = runs.filter(p -> p.getNameCount() == root.getNameCount() + 4
                    && p.getFileName().toString().equals(seed) && !p.startsWith(gridDir)
                    && !p.toString().contains(RunDirectory.STAGING)).sorted().toList();
            for (Path p : candidates) {
                if (Files.isRegularFile(p.resolve(RunFiles.METRICS)) && Files.isRegularFile(p.resolve(TrainedRun.CHECKPOINT))
                        && Files.isRegularFile(p.resolve(RunFiles.PREDICTIONS)) && !Files.exists(p.resolve(RunFiles.FAILURE))
                        && sameComputation(p, config)) {
                    return p;
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("cannot look for a finished twin of a run under {}: {}; training it", root, e.getMessage());
        }
        return null;
    }

    /**
     * The same configuration ({@link ReuseCheck}) computed with the same MKL kernels, dropout masks,
     * attention kernel and LSTM kernel: a twin made with the other MKL or LSTM mode would not
     * reproduce its predictions here (one process runs one mode), one with other masks is another
     * computation, and one whose attention was computed the other way differs in the last bits.
     */
    private static boolean sameComputation(Path dir, RunConfig config) {
        try {
            ReuseCheck.check(dir, config);
            RunConfig twin = ConfigJson.fromJson(Files.readString(dir.resolve(RunFiles.CONFIG)),
                    dir.resolve(RunFiles.CONFIG).toString());
            return twin.mklKernels.equals(config.mklKernels) && twin.dropoutMasks.equals(
                    org.mecam.model.DropoutMasks.resolve(config.dropoutMasks, org.mecam.engine.Devices.resolve(config.device)))
                    && twin.attentionKernel.equals(config.attentionKernel) && twin.lstmKernel.equals(config.lstmKernel);
        } catch (IOException | RuntimeException e) { // a different configuration (ConfigException) or an unreadable one
            return false;
        }
    }

    /**
     * Copies {@code twin} into {@code target} with this run's labels and its robustness sweep.
     *
     * @return whether the run was made; false when the twin cannot be evaluated here or its
     *         checkpoint does not reproduce its saved predictions (the caller trains the run)
     */
    public static boolean make(Path twin, RunConfig config, MultimodalDataset data, Path target, RunOptions options, Path root) {
        Instant start = Instant.now();
        List<Robustness.Row> rows;
        try (TrainedRun run = TrainedRun.open(twin, data)) {
            float[] predictions = run.predict(data.test());
            RunFiles.Predictions saved;
            try {
                saved = RunFiles.predictions(twin);
            } catch (IOException e) {
                throw IoFailure.wrap("cannot read " + twin.resolve(RunFiles.PREDICTIONS), e);
            }
            if (saved == null || !Arrays.equals(saved.predictions(), predictions)) {
                LOG.warn("{}: its checkpoint does not reproduce its saved test predictions here; training the run"
                        + " instead of reusing it", twin);
                return false;
            }
            rows = Robustness.evaluate(MecamMethod.predictor(run.model(), run.manager(), config), data, options,
                    config.seed);
        } catch (org.mecam.engine.Interruption.InterruptedRunException e) {
            throw e;
        } catch (RuntimeException e) {
            // a damaged checkpoint, a device this machine lacks: the run is trained as if there were no twin
            LOG.warn("{}: cannot evaluate it here ({}); training the run instead of reusing it", twin,
                    IoFailure.describe(e));
            return false;
        }
        RunDirectory dir;
        try {
            dir = RunDirectory.start(target.getParent(), "reused-" + target.getFileName());
        } catch (IOException e) {
            throw IoFailure.wrap("cannot create a run directory under " + target.getParent(), e);
        }
        try {
            copy(twin, dir.file(""));
            JsonObject json = RunFiles.config(twin);
            JsonObject provenance = json.has(ConfigJson.PROVENANCE_KEY) ? json.getAsJsonObject(ConfigJson.PROVENANCE_KEY)
                    : new JsonObject();
            if (!options.labels().isEmpty()) {
                provenance.add("experiment", ConfigJson.GSON.toJsonTree(options.labels()));
            }
            Map<String, Object> reused = new LinkedHashMap<>();
            reused.put("from", root.relativize(twin).toString().replace('\\', '/'));
            reused.put("started", start.toString()); // this evaluation; "started"/"finished" above are the training's
            reused.put("finished", Instant.now().toString());
            reused.put("gitCommit", Provenance.gitCommit());
            reused.put("predictionsReproduced", true);
            provenance.add(REUSED, ConfigJson.GSON.toJsonTree(reused));
            json.add(ConfigJson.PROVENANCE_KEY, provenance);
            dir.write(RunFiles.CONFIG, ConfigJson.GSON.toJson(json));
            Files.deleteIfExists(dir.file(RunFiles.ROBUSTNESS));
            if (!rows.isEmpty()) {
                dir.write(RunFiles.ROBUSTNESS, Robustness.csv(rows));
            }
        } catch (IOException | RuntimeException e) {
            dir.abandon();
            throw IoFailure.is(e) || e instanceof IOException ? IoFailure.wrap("cannot write the reused run " + target, e)
                    : (RuntimeException) e;
        }
        try {
            dir.commitTo(target);
        } catch (IOException e) {
            Path kept = dir.keep();
            throw IoFailure.wrap("cannot move the finished run into place (it is kept, complete, in " + kept
                    + "; move it by hand)", e);
        }
        return true;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".claim")) {
                    Files.copy(f, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
