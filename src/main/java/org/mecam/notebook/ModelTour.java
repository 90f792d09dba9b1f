package org.mecam.notebook;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import org.mecam.config.Modality;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.NoGrad;
import org.mecam.experiment.protocol.RepresentationProbe;
import org.mecam.experiment.run.TrainedRun;
import org.mecam.model.ContrastTargets;
import org.mecam.model.MecamModel;
import org.mecam.objective.ActiveObjective;
import org.mecam.objective.LossTerm;
import org.mecam.objective.Objective;
import org.mecam.objective.Stage;
import org.mecam.report.ExperimentCharts;
import org.mecam.report.TextTable;
import org.mecam.train.EpochDiagnostics;

/**
 * The method explained by running it (notebook 07): a freshly initialised model of a
 * configuration, its blocks and parameter counts, one training batch through it with each loss
 * term's value and the gradient it puts on each encoder, one sample's attention weights, and the
 * contrastive targets of a batch. Nothing is trained.
 */
public final class ModelTour implements AutoCloseable {

    private final RunConfig config;
    private final MultimodalDataset data;
    private final TrainedRun run;
    private final ParameterStore ps;
    private final BatchBuilder train;
    private final int size;

    private ModelTour(RunConfig config, MultimodalDataset data) {
        this.config = config;
        this.data = data;
        this.run = TrainedRun.fresh(config, data, config.seed);
        this.ps = new ParameterStore(run.manager(), false);
        this.train = run.batches(data.train(), null);
        this.size = Math.min(config.batchSize, data.train().size() / 2);
    }

    /** @return a model of {@code config} on {@code data}, initialised with the configuration's seed */
    public static ModelTour open(RunConfig config, MultimodalDataset data) {
        return new ModelTour(config, data);
    }

    /** @return the model */
    public MecamModel model() {
        return run.model();
    }

    /** @return each top-level block of the model: its class, its parameters and which optimizer steps them */
    public TextTable blocks() {
        MecamModel model = run.model();
        TextTable t = new TextTable("Blocks of the model (" + config.fusion + " fusion, modalities " + config.modalities
                + ")", List.of("block", "class", "parameters", "trainable", "optimizer"));
        long total = 0;
        for (Pair<String, Block> child : model.getChildren()) {
            long n = 0;
            long trainable = 0;
            String group = "main";
            for (Pair<String, Parameter> p : child.getValue().getParameters()) {
                long k = p.getValue().getArray().size();
                n += k;
                trainable += p.getValue().getArray().hasGradient() ? k : 0;
                if (model.mmilbParameters().contains(p.getValue())) {
                    group = "mmilb (stage 0)";
                } else if (model.bertParameters().contains(p.getValue())) {
                    group = "bert";
                }
            }
            total += n;
            String name = child.getKey().replaceFirst("^\\d+", ""); // DJL numbers the children: 01text
            t.add(List.of(name, child.getValue().getClass().getSimpleName(), Long.toString(n), Long.toString(trainable),
                    group), null);
        }
        t.add(List.of("total", "", Long.toString(total), "", ""), null);
        return t.note("mmilb: the estimators of mu and log-variance step in stage 0; the entropy projections are fixed.");
    }

    /** @return the objective's terms: stage, weight key and the signed weight they enter the loss with in this run */
    public TextTable objective() {
        TextTable t = new TextTable("The objective (Objective.standard())",
                List.of("term", "stage", "weight key", "sign", "weight here", "on for this model"));
        try (ActiveObjective bound = Objective.standard().bind(run.model(), config.training(), run.manager())) {
            for (LossTerm term : bound.objective().terms()) {
                boolean on = bound.isActive(term);
                t.add(List.of(term.name(), term.stage() == Stage.MMILB ? "0 (MMILB estimators)" : "1 (main)",
                        term.weightKey(), term.sign() > 0 ? "+" : "-", num(term.weight(config.training())),
                        on ? "yes" : "no"), null);
            }
        }
        return t.note("Stage 1 minimises the sum of sign x weight x term; a term whose weight is 0, or that the model "
                + "cannot compute (the MI terms with one modality), is off.");
    }

    /**
     * One training batch through the model and the objective (dropout off; a previous batch
     * fills the entropy term's memory first, as the per-epoch diagnostics do): each stage-1 term's
     * value, its signed weight, and the L2 norm of the gradient the weighted term puts on each encoder.
     */
    public TextTable losses() {
        MecamModel model = run.model();
        List<Parameter> all = new ArrayList<>();
        model.getParameters().forEach(p -> {
            if (p.getValue().getArray().hasGradient()) {
                all.add(p.getValue());
            }
        });
        List<String> headers = new ArrayList<>(List.of("term", "weight", "value", "weighted"));
        for (Modality m : Modality.values()) {
            headers.add("gradient on " + m.label());
        }
        TextTable t = new TextTable("Loss terms on one batch of " + size + " training samples", headers);
        try (ActiveObjective objective = Objective.standard().bind(model, config.training(), run.manager())) {
            for (EpochDiagnostics.TermGradient g : EpochDiagnostics.termGradients(model, ps, train, run.manager(), size,
                    objective, all)) {
                List<String> cells = new ArrayList<>(List.of(g.term().name(), num(g.signedWeight()), num(g.value()),
                        num(g.signedWeight() * g.value())));
                for (Modality m : Modality.values()) {
                    Double norm = g.norms().get(m);
                    cells.add(norm == null ? "" : num(norm));
                }
                t.add(cells, null);
            }
        }
        return t.note("weighted: sign x weight x value, as the term enters the stage-1 loss; gradient: L2 norm over the "
                + "encoder's parameters of the weighted term alone. The MMILB terms reach text only through lld; H reaches "
                + "only the predicted modality of each pair (audio, vision).");
    }

    /** @return the attention of modality {@code m}'s frames to the text tokens of the first test sample, mean over heads */
    public HeatMapChart attention(Modality m) {
        MecamModel model = run.model();
        BatchBuilder test = run.batches(data.test(), null);
        try (NoGrad ignored = NoGrad.enter(); Batch b = test.build(run.manager(), new int[] {0})) {
            MecamModel.Output out = model.fuse(ps, b, model.encode(ps, b, false), false, true);
            NDArray w = out.attention() == null ? null : out.attention().get(m);
            if (w == null) {
                throw new IllegalArgumentException("fusion=" + config.fusion + " with modalities " + config.modalities
                        + " has no " + m.label() + " -> text attention");
            }
            return ExperimentCharts.attention(m.label() + " → text attention, test sample " + data.test().ids[0]
                    + " (untrained)", m.label() + " frame", RepresentationProbe.meanOverHeads(w));
        }
    }

    /**
     * @return the contrastive targets of the first training batch, samples sorted by label: for
     *     anchor i (row) and sample j (column), 1 a positive pair, 0.5 the anchor itself (left
     *     out of both blocks when {@code excludeSelf}), 0 a negative
     */
    public HeatMapChart contrastTargets() {
        float[] labels = Arrays.copyOf(data.train().labels, size);
        Integer[] order = IntStream.range(0, size).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> labels[i]));
        HeatMapChart chart = new HeatMapChartBuilder().width(620).height(560)
                .title("Contrastive targets (" + config.positives + " positives, excludeSelf " + config.excludeSelf + ")")
                .xAxisTitle("sample (sorted by label)").yAxisTitle("anchor (sorted by label)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setRangeColors(new Color[] {new Color(240, 240, 240), new Color(150, 150, 150),
            new Color(33, 102, 172)});
        List<Integer> axis = IntStream.range(0, size).boxed().toList();
        List<Number[]> heat = new ArrayList<>();
        for (int a = 0; a < size; a++) {
            for (int s = 0; s < size; s++) {
                int i = order[a];
                int j = order[s];
                boolean self = i == j;
                boolean positive = ContrastTargets.sameClass(labels[i], labels[j], config.positives);
                double v = self && config.excludeSelf ? 0.5 : positive ? 1 : 0;
                heat.add(new Number[] {s, a, v});
            }
        }
        chart.addSeries("1 positive, 0.5 self, 0 negative", axis, axis, heat);
        return chart;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static int[] range(int from, int n) {
        return IntStream.range(from, from + n).toArray();
    }

    @Override
    public void close() {
        run.close();
    }
}
