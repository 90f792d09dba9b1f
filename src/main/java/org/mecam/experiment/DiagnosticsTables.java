package org.mecam.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;
import org.mecam.train.EpochStats;

/**
 * The per-epoch diagnostics of a grid's runs summarised over seeds (METHOD.md, "Diagnostics"):
 * which loss term moves which encoder, at the first epoch and at the selected (best-validation)
 * epoch, and how well each modality's encoder output separates the sentiment classes on clean
 * samples and on samples whose negative information hits that modality.
 */
final class DiagnosticsTables {

    private static final String[] NAMES = {"text", "audio", "vision"};

    private final List<String> variants;
    private final List<List<List<EpochStats>>> runs = new ArrayList<>();

    private DiagnosticsTables(ResultStore store, ExperimentReport.GridSpec spec, String dataset) throws IOException {
        variants = new ArrayList<>();
        for (String v : spec.variants()) {
            if (spec.sameAs().containsKey(v)) {
                continue;
            }
            List<List<EpochStats>> byRun = new ArrayList<>();
            for (ResultStore.Run r : store.runs()) {
                Path csv = r.dir().resolve(RunFiles.EPOCHS);
                if (r.grid().equals(spec.name()) && r.dataset().equals(dataset) && r.variant().equals(v)
                        && Files.isRegularFile(csv)) {
                    List<EpochStats> epochs = RunFiles.epochs(r.dir());
                    if (epochs.stream().anyMatch(e -> org.mecam.train.EpochDiagnostics.COLUMNS.stream()
                            .anyMatch(c -> !Double.isNaN(e.diagnostic(c))))) {
                        byRun.add(epochs); // baselines without a trainer (Tribuo) have none
                    }
                }
            }
            if (!byRun.isEmpty()) {
                variants.add(v);
                runs.add(byRun);
            }
        }
    }

    /** @return the tables of a grid on a dataset, or null when no run there has diagnostics */
    static DiagnosticsTables of(ResultStore store, ExperimentReport.GridSpec spec, String dataset) throws IOException {
        DiagnosticsTables t = new DiagnosticsTables(store, spec, dataset);
        return t.variants.isEmpty() ? null : t;
    }

    /** @return per variant and encoder: the task's and the filter's gradient norm at epoch 1 and at the selected epoch */
    TextTable gradients(String title) {
        List<String> headers = new ArrayList<>(List.of("variant", "seeds"));
        for (String m : NAMES) {
            headers.add("task → " + m + " (ep. 1)");
            headers.add("filter → " + m + " (ep. 1)");
            headers.add("filter → " + m + " (selected)");
        }
        TextTable t = new TextTable(title + ": gradient norm each weighted loss term puts on each encoder "
                + "(mean [95% CI] over seeds)", headers);
        for (int v = 0; v < variants.size(); v++) {
            List<String> cells = new ArrayList<>(List.of(variants.get(v), Integer.toString(runs.get(v).size())));
            for (char m : "tav".toCharArray()) {
                cells.add(ci(runs.get(v), first(e -> e.diagnostic("grad_task_" + m))));
                cells.add(ci(runs.get(v), first(e -> e.diagnostic("grad_contrastive_" + m))));
                cells.add(ci(runs.get(v), selected(e -> e.diagnostic("grad_contrastive_" + m))));
            }
            t.add(cells, null);
        }
        t.note("filter: alpha x nce; measured on two fixed training batches without dropout, before clipping. "
                + "Selected: the best-validation epoch. Empty: the variant has no filter or no such encoder.");
        return t;
    }

    /** @return per variant and modality: class separation of the encoder output at the selected epoch, clean vs negative */
    TextTable separation(String title) {
        List<String> headers = new ArrayList<>(List.of("variant", "seeds"));
        for (String m : NAMES) {
            headers.add(m + " clean");
            headers.add(m + " negative");
        }
        TextTable t = new TextTable(title + ": class separation of each encoder's output on the validation split at the "
                + "selected epoch (mean [95% CI] over seeds)", headers);
        for (int v = 0; v < variants.size(); v++) {
            List<String> cells = new ArrayList<>(List.of(variants.get(v), Integer.toString(runs.get(v).size())));
            for (char m : "tav".toCharArray()) {
                cells.add(ci(runs.get(v), selected(e -> e.diagnostic("sep_h_" + m + "_clean"))));
                cells.add(ci(runs.get(v), selected(e -> e.diagnostic("sep_h_" + m + "_neg"))));
            }
            t.add(cells, null);
        }
        t.note("Separation: mean cosine similarity to samples of the same 7-class label minus to other classes; "
                + "negative: anchors whose negative information hits that modality.");
        return t;
    }

    private static java.util.function.Function<List<EpochStats>, Double> first(ToDoubleFunction<EpochStats> f) {
        return epochs -> f.applyAsDouble(epochs.get(0));
    }

    private static java.util.function.Function<List<EpochStats>, Double> selected(ToDoubleFunction<EpochStats> f) {
        return epochs -> {
            EpochStats chosen = epochs.get(epochs.size() - 1);
            for (EpochStats e : epochs) {
                if (e.improved()) {
                    chosen = e;
                }
            }
            return f.applyAsDouble(chosen);
        };
    }

    private static String ci(List<List<EpochStats>> runs, java.util.function.Function<List<EpochStats>, Double> f) {
        double[] v = runs.stream().map(f).mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
        return Stats.meanCi(v, "%.4g");
    }
}
