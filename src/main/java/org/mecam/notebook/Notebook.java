package org.mecam.notebook;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.NegativeInfo;
import org.mecam.data.Split;
import org.mecam.engine.NativeRuntime;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunResult;
import org.mecam.experiment.grid.Grid;
import org.mecam.experiment.grid.GridRunner;
import org.mecam.experiment.run.ResultStore;
import org.mecam.report.FigureFiles;
import org.mecam.train.TrainingProgress;

/**
 * What the notebooks call: {@code import static org.mecam.notebook.Notebook.*;} (the kit's kernel
 * imports it by itself). Display works in the kit's kernel, in JJava (same messaging library) and,
 * through reflection, in IJava; outside any kernel values are printed as text.
 */
public final class Notebook {

    private static volatile Knobs knobs;

    private static final String[] FOREIGN_MIME_TYPES = {"text/plain", "text/html", "text/markdown", "image/png",
        "image/svg+xml"};

    private Notebook() {}

    // ---- scale and places

    /** @return the notebooks' scale and results root, read once from the environment (see {@link Knobs}) */
    public static Knobs knobs() {
        Knobs k = knobs;
        if (k == null) {
            k = Knobs.fromEnvironment();
            knobs = k;
        }
        return k;
    }

    /** @return the results root notebooks write to */
    public static Path results() {
        return knobs().results();
    }

    /** @return a built-in ({@code mosi}, {@code mosei}, {@code tiny}) or file config at the notebooks' scale */
    public static RunConfig config(String nameOrFile) {
        return knobs().apply(ConfigJson.load(nameOrFile));
    }

    /** @return a built-in or file grid at the notebooks' scale */
    public static Grid grid(String nameOrFile) {
        return knobs().apply(Grid.load(nameOrFile));
    }

    /** @return the dataset a config names (the synthetic one unless {@code dataset} says otherwise) */
    public static MultimodalDataset dataset(RunConfig config) {
        config.validate();
        NativeRuntime.start(config.threads, config.mklKernels, config.lstmKernel);
        return Datasets.load(config);
    }

    /**
     * @return dataset files under the repository's {@code datasets/} directory (or {@code $DATASETS}),
     *     pickles of the MMSA and MulT layouts, for inspection; empty when none are there
     */
    public static List<Path> realDatasets() {
        String env = System.getenv("DATASETS");
        Path dir = env != null && !env.isBlank() ? Path.of(env)
                : Files.isRegularFile(Path.of("..", "pom.xml")) ? Path.of("..", "datasets") : Path.of("datasets");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir, 3)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".pkl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    // ---- running

    /**
     * @return a freshly initialised model of {@code config} to look inside (notebook 07): its
     *     blocks, the objective, one batch's loss terms and gradients, attention, contrastive targets
     */
    public static ModelTour modelTour(RunConfig config, MultimodalDataset data) {
        return ModelTour.open(config, data);
    }

    /** Trains and evaluates a config (a run directory under its results root), showing live progress. */
    public static RunResult train(RunConfig config) {
        return Experiments.run(config, progress(true), null);
    }

    /** As {@link #train(RunConfig)}, on a dataset already loaded. */
    public static RunResult train(RunConfig config, MultimodalDataset data) {
        config.validate();
        return Experiments.run(config, data, progress(true), null);
    }

    /**
     * Runs a grid's pending runs under {@link #results()} (finished runs are kept; see {@link GridRunner}),
     * in {@code WORKERS} processes.
     */
    public static GridRunner.Summary run(Grid grid) {
        try {
            Path root = results();
            String ref = grid.name();
            if (knobs().workers() > 1) {
                Path file = root.resolve(".grids").resolve(Grid.slug(grid.name()) + ".json");
                Files.createDirectories(file.getParent());
                Files.writeString(file, grid.json(), StandardCharsets.UTF_8);
                ref = file.toString();
            }
            GridRunner.Summary s = GridRunner.run(grid, ref, root, knobs().workers(), progress(false));
            System.out.printf(Locale.ROOT, "grid %s: %d runs, %d already finished, %d run now%s%n", grid.name(),
                    s.total(), s.skipped(), s.ran(), s.failures().isEmpty() ? "" : ", failures: " + s.failures());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.mecam.engine.Interruption.InterruptedRunException();
        }
    }

    /**
     * @return where to read a grid's results from: the results shipped with the kit
     *     ({@code docs/results/}) when {@code GRIDS=shipped} (the default) and they hold this grid,
     *     else {@link #results()} after running the grid's pending runs (see {@link #run(Grid)})
     */
    public static Path gridResults(Grid grid) {
        Path shipped = knobs().shipped();
        long runs = shipped == null ? 0 : ResultStore.scan(shipped).runs().stream()
                .filter(r -> r.grid().equals(grid.name())).count();
        if (knobs().showShipped() && runs > 0) {
            System.out.printf(Locale.ROOT, "showing the %d shipped runs of %s in %s (GRIDS=run runs the grid instead)%n",
                    runs, grid.name(), shipped);
            return shipped;
        }
        if (knobs().showShipped()) {
            System.out.printf(Locale.ROOT, "no shipped runs of %s%s: running it%n", grid.name(),
                    shipped == null ? "" : " in " + shipped);
        }
        run(grid);
        return results();
    }

    /**
     * @param printEpochs also print one line per epoch (kept in the saved notebook)
     * @return a listener showing training progress live in the cell's output
     */
    public static TrainingProgress progress(boolean printEpochs) {
        return new NotebookProgress(printEpochs);
    }

    /** @return per test sample, whether it carries negative information (null if the dataset does not record it) */
    public static boolean[] affected(Split split) {
        if (!split.hasNegativeFlags()) {
            return null;
        }
        boolean[] out = new boolean[split.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = split.negative[i] != NegativeInfo.NONE;
        }
        return out;
    }

    // ---- display

    /** Shows a value in the cell's output (charts as images, tables as HTML); @return its display id */
    public static String display(Object value) {
        DisplayData d = render(value);
        String id = d.getDisplayId();
        if (id == null) {
            id = UUID.randomUUID().toString();
            d.setDisplayId(id);
        }
        emit(d, false);
        return id;
    }

    /**
     * Shows a value in the cell's output, as {@link #display} does; the notebooks use this name
     * because IJava and JJava define their own {@code display}.
     */
    public static void show(Object value) {
        if (value instanceof Path p) {
            show(p);
        } else {
            display(value);
        }
    }

    /** Replaces what an earlier {@link #display} showed. */
    public static void updateDisplay(String id, Object value) {
        DisplayData d = render(value);
        d.setDisplayId(id);
        emit(d, true);
    }

    /** Shows Markdown. */
    public static void markdown(String markdown) {
        emit(Renderers.markdown(markdown), false);
    }

    /** Shows HTML. */
    public static void html(String html) {
        emit(Renderers.html(html, html.replaceAll("<[^>]+>", "")), false);
    }

    /** @return panels of equal size laid out row by row, as one image (displayed as PNG) */
    public static BufferedImage panels(List<? extends Chart<?, ?>> charts, int columns) {
        return FigureFiles.image(charts, Math.min(columns, Math.max(1, charts.size())));
    }

    /**
     * Shows a file by its kind: PNG, SVG and JPEG as images, {@code .md} as Markdown, CSV, JSON and
     * text as text. With {@code IMAGE_LINKS} set (see {@link Knobs}), an image under the results
     * root is shown as an HTML {@code <img>} linking to it, not embedded.
     */
    public static void show(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            String link = name.matches(".*\\.(png|jpe?g|svg)") ? knobs().imageLink(file) : null;
            if (link != null) {
                if (!Files.isRegularFile(file)) {
                    throw new IOException("no such file");
                }
                String src = Renderers.escape(link);
                emit(Renderers.html("<a href=\"" + src + "\"><img src=\"" + src + "\" alt=\""
                        + Renderers.escape(file.getFileName().toString()) + "\" style=\"max-width: 100%\"></a>", link), false);
            } else if (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) {
                BufferedImage image = ImageIO.read(file.toFile());
                if (image == null) {
                    throw new IOException("not an image");
                }
                display(image);
            } else if (name.endsWith(".svg")) {
                DisplayData d = new DisplayData(file.toString());
                d.putSVG(Files.readString(file));
                emit(d, false);
            } else if (name.endsWith(".md")) {
                markdown(Files.readString(file));
            } else {
                emit(new DisplayData(Files.readString(file)), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot show " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** @return the files under a directory whose names match a glob (e.g. {@code "*ablation*.png"}), sorted */
    public static List<Path> files(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> matcher.matches(p.getFileName())).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    static DisplayData render(Object value) {
        if (value instanceof DisplayData d) {
            return d;
        }
        BaseKernel k = kernel();
        return k != null && Renderers.registeredIn(k.getRenderer()) ? k.getRenderer().render(value)
                : Renderers.standalone().render(value);
    }

    /** @return the running kernel of this messaging library (ours or JJava), or null */
    static BaseKernel kernel() {
        try {
            return BaseKernel.notebookKernel();
        } catch (NullPointerException e) {
            return null;
        }
    }

    /** @return whether displays can be updated in place (a kernel of this messaging library runs a cell) */
    static boolean live() {
        BaseKernel k = kernel();
        return k != null && k.getIO().display.isAttached();
    }

    private static void emit(DisplayData d, boolean update) {
        // text printed before the display goes out first (the cell's streams are coalesced)
        System.out.flush();
        System.err.flush();
        BaseKernel k = kernel();
        if (k != null) {
            if (update) {
                k.getIO().display.updateDisplay(d);
            } else {
                k.display(d);
            }
            return;
        }
        if (!update && ijava(d)) {
            return;
        }
        if (!update) {
            Object text = d.getData(MIMEType.TEXT_PLAIN);
            System.out.println(text == null ? "" : text);
        }
    }

    /** Displays through IJava's kernel when the notebook runs there (by reflection: IJava is not a dependency). */
    private static boolean ijava(DisplayData d) {
        try {
            ClassLoader loader = Notebook.class.getClassLoader();
            Class<?> ijava = Class.forName("io.github.spencerpark.ijava.IJava", false, loader);
            Object kernel = ijava.getMethod("getKernelInstance").invoke(null);
            if (kernel == null) {
                return false;
            }
            Class<?> dataClass = Class.forName("io.github.spencerpark.jupyter.kernel.display.DisplayData", true, loader);
            Object data = dataClass.getConstructor().newInstance();
            Method put = dataClass.getMethod("putData", String.class, Object.class);
            for (String mime : FOREIGN_MIME_TYPES) {
                Object v = d.getData(MIMEType.parse(mime));
                if (v != null) {
                    put.invoke(data, mime, v);
                }
            }
            kernel.getClass().getMethod("display", dataClass).invoke(kernel, data);
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
