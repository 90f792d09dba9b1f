package org.mecam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.mecam.config.Modality;
import org.mecam.experiment.run.ResultStore;
import org.mecam.experiment.run.RunFiles;
import org.mecam.report.Stats;
import org.mecam.report.TextTable;
import org.mecam.train.EpochDiagnostics;
import org.mecam.train.EpochStats;

/**
 * The per-epoch diagnostics of a grid's runs summarised over seeds (METHOD.md, "Diagnostics"):
 * which loss term moves which encoder, at the first epoch and at the selected (best-validation)
 * epoch, and how well each modality's encoder output separates the sentiment classes on clean
 * samples and on samples whose negative information hits that modality.
 */
final class DiagnosticsTables {

    private final List<String> variants;
    private final List<List<List<EpochStats>>> runs = new ArrayList<>();

    private DiagnosticsTables(ResultStore store, GridSpec spec, String dataset) throws IOException {
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
                    if (epochs.stream().anyMatch(e -> e.diagnostics().values().stream().anyMatch(x -> !Double.isNaN(x)))) {
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
    static DiagnosticsTables of(ResultStore store, GridSpec spec, String dataset) throws IOException {
        DiagnosticsTables t = new DiagnosticsTables(store, spec, dataset);
        return t.variants.isEmpty() ? null : t;
    }

    /**
     * @return per variant and loss term (every term whose gradient columns the runs carry, by
     *     name, in column order) and per encoder: the weighted term's gradient norm at epoch 1 and
     *     at the selected epoch
     */
    TextTable gradients(String title) {
        List<String> headers = new ArrayList<>(List.of("variant", "term", "seeds"));
        for (Modality m : Modality.values()) {
            headers.add(m.label() + " (ep. 1)");
            headers.add(m.label() + " (selected)");
        }
        TextTable t = new TextTable(title + ": gradient norm each weighted loss term puts on each encoder "
                + "(mean [95% CI] over seeds)", headers);
        for (int v = 0; v < variants.size(); v++) {
            for (String term : terms(runs.get(v))) {
                List<String> cells = new ArrayList<>(List.of(variants.get(v), term,
                        Integer.toString(runs.get(v).size())));
                for (Modality m : Modality.values()) {
                    String column = EpochDiagnostics.gradColumn(term, m);
                    cells.add(ci(runs.get(v), first(e -> e.diagnostic(column))));
                    cells.add(ci(runs.get(v), selected(e -> e.diagnostic(column))));
                }
                t.add(cells, null);
            }
        }
        t.note("Each term as it enters the loss (e.g. contrastive: alpha x nce, lld: -beta x lld); measured on two "
                + "fixed training batches without dropout, before clipping. Selected: the best-validation epoch. "
                + "Empty: no such encoder. Rows: the terms a variant's runs measured.");
        return t;
    }

    /** @return the terms with a measured gradient column in some run, in column order */
    private static List<String> terms(List<List<EpochStats>> runs) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (List<EpochStats> run : runs) {
            for (EpochStats e : run) {
                e.diagnostics().forEach((column, value) -> {
                    java.util.regex.Matcher g = GRAD.matcher(column);
                    if (g.matches() && !Double.isNaN(value)) {
                        out.add(g.group(1));
                    }
                });
            }
        }
        return new ArrayList<>(out);
    }

    private static final java.util.regex.Pattern GRAD = java.util.regex.Pattern.compile("grad_(.+)_[tav]");

    /** @return per variant and modality: class separation of the encoder output at the selected epoch, clean vs negative */
    TextTable separation(String title) {
        List<String> headers = new ArrayList<>(List.of("variant", "seeds"));
        for (Modality m : Modality.values()) {
            headers.add(m.label() + " clean");
            headers.add(m.label() + " negative");
        }
        TextTable t = new TextTable(title + ": class separation of each encoder's output on the validation split at the "
                + "selected epoch (mean [95% CI] over seeds)", headers);
        for (int v = 0; v < variants.size(); v++) {
            List<String> cells = new ArrayList<>(List.of(variants.get(v), Integer.toString(runs.get(v).size())));
            for (Modality m : Modality.values()) {
                cells.add(ci(runs.get(v), selected(e -> e.diagnostic(EpochDiagnostics.sepColumn("h", m, true)))));
                cells.add(ci(runs.get(v), selected(e -> e.diagnostic(EpochDiagnostics.sepColumn("h", m, false)))));
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
