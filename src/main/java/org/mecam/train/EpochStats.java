package org.mecam.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.mecam.objective.Objective;

/**
 * One epoch's record, a row of {@code epochs.csv}. The loss columns are the objective's terms,
 * by name (docs/METHOD.md, "Head, loss and training"); files are read back by column name.
 *
 * @param epoch 1-based epoch
 * @param terms each term's mean over the epoch's steps of its stage that gave it (NaN when the
 *     term is off), by name in the objective's order: stage0_lld, task, contrastive, lld, entropy
 * @param counters the terms' per-epoch counters, e.g. entropy_skipped (entropy terms skipped for
 *     rank-deficient covariances or a non-finite logdet)
 * @param trainLoss mean total stage-1 loss
 * @param gradNorm mean global gradient norm of stage 1 before clipping
 * @param validMae validation MAE, the validation loss used for selection
 * @param testMae test MAE (only with selection=test-leaky, else NaN)
 * @param lrMain learning rate of the main parameters after this epoch
 * @param improved whether this epoch became the selected checkpoint
 * @param seconds wall time of the epoch
 * @param rssMb resident set size of the process after the epoch (MiB; -1 if unknown)
 * @param diagnostics the {@link EpochDiagnostics#columns(Objective)}: the terms' parts (each
 *     modality's contrastive loss), each term's gradient norm on each encoder, class separation
 *     of the representations (NaN where not measured)
 */
public record EpochStats(
        int epoch, Map<String, Double> terms, Map<String, Integer> counters, double trainLoss, double gradNorm,
        double validMae, double testMae, double lrMain, boolean improved, double seconds, double rssMb,
        Map<String, Double> diagnostics) {

    /** The columns after the terms and counters, before the diagnostics. */
    private static final List<String> FIXED = List.of("train_loss", "grad_norm", "valid_mae", "test_mae", "lr_main",
            "selected", "seconds", "rss_mb");

    /** CSV header of MECAM's standard objective. */
    public static final String CSV_HEADER = header(Objective.standard());

    /** @return the header of {@code epochs.csv} for an objective */
    public static String header(Objective objective) {
        List<String> c = new ArrayList<>(List.of("epoch"));
        c.addAll(objective.names());
        c.addAll(objective.counters());
        c.addAll(FIXED);
        c.addAll(EpochDiagnostics.columns(objective));
        return String.join(",", c);
    }

    /** @return the mean of a term over the epoch (NaN when the term is off or unknown) */
    public double term(String name) {
        Double v = terms.get(name);
        return v == null ? Double.NaN : v;
    }

    /** @return a counter of the epoch (0 when unknown) */
    public int counter(String name) {
        Integer v = counters.get(name);
        return v == null ? 0 : v;
    }

    /** @return the value of a diagnostics column (NaN when not measured) */
    public double diagnostic(String column) {
        Double v = diagnostics == null ? null : diagnostics.get(column);
        return v == null ? Double.NaN : v;
    }

    /** @return the header matching {@link #csvRow()} */
    public String header() {
        List<String> c = new ArrayList<>(List.of("epoch"));
        c.addAll(terms.keySet());
        c.addAll(counters.keySet());
        c.addAll(FIXED);
        c.addAll(diagnostics.keySet());
        return String.join(",", c);
    }

    /** @return the values as one CSV line */
    public String csvRow() {
        List<String> row = new ArrayList<>(List.of(Integer.toString(epoch)));
        terms.values().forEach(v -> row.add(num(v)));
        counters.values().forEach(v -> row.add(Integer.toString(v)));
        row.addAll(List.of(num(trainLoss), num(gradNorm), num(validMae), num(testMae), num(lrMain),
                Boolean.toString(improved), num(seconds), num(rssMb)));
        diagnostics.values().forEach(v -> row.add(num(v)));
        return String.join(",", row);
    }

    /**
     * @return the records of an epochs.csv, every column found by its header name: the columns
     *     between {@code epoch} and {@code train_loss} are the terms and (integer columns) their
     *     counters, those after {@code rss_mb} the diagnostics
     */
    public static List<EpochStats> readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(line.split(",", -1));
        }
        int first = header.indexOf("train_loss");
        int last = header.indexOf("rss_mb");
        if (header.indexOf("epoch") != 0 || first < 0 || last < first) {
            throw new IOException(file + ": not an epochs.csv (needs the columns epoch, ..., train_loss, ..., rss_mb)");
        }
        Set<String> counterColumns = new LinkedHashSet<>();
        for (int k = 1; k < first; k++) {
            final int col = k;
            if (!rows.isEmpty() && rows.stream().allMatch(r -> col < r.length && r[col].matches("-?\\d+"))) {
                counterColumns.add(header.get(k));
            }
        }
        List<EpochStats> out = new ArrayList<>();
        for (String[] c : rows) {
            Function<String, String> cell = name -> {
                int k = header.indexOf(name);
                return k >= 0 && k < c.length ? c[k] : "";
            };
            Map<String, Double> terms = new LinkedHashMap<>();
            Map<String, Integer> counters = new LinkedHashMap<>();
            for (int k = 1; k < first; k++) {
                String name = header.get(k);
                if (counterColumns.contains(name)) {
                    counters.put(name, Integer.parseInt(c[k]));
                } else {
                    terms.put(name, d(cell.apply(name)));
                }
            }
            Map<String, Double> diagnostics = new LinkedHashMap<>();
            for (int k = last + 1; k < header.size(); k++) {
                diagnostics.put(header.get(k), d(cell.apply(header.get(k))));
            }
            out.add(new EpochStats(Integer.parseInt(cell.apply("epoch")), terms, counters, d(cell.apply("train_loss")),
                    d(cell.apply("grad_norm")), d(cell.apply("valid_mae")), d(cell.apply("test_mae")),
                    d(cell.apply("lr_main")), Boolean.parseBoolean(cell.apply("selected")), d(cell.apply("seconds")),
                    d(cell.apply("rss_mb")), diagnostics));
        }
        return out;
    }

    /**
     * @return per epoch, the mean of each value over the runs that reached that epoch (for
     *     curves over seeds; counters rounded)
     */
    public static List<EpochStats> mean(List<List<EpochStats>> runs) {
        int epochs = runs.stream().mapToInt(List::size).max().orElse(0);
        List<EpochStats> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            List<EpochStats> at = new ArrayList<>();
            for (List<EpochStats> run : runs) {
                if (e < run.size()) {
                    at.add(run.get(e));
                }
            }
            Map<String, Double> terms = new LinkedHashMap<>();
            Map<String, Integer> counters = new LinkedHashMap<>();
            Map<String, Double> diagnostics = new LinkedHashMap<>();
            for (EpochStats s : at) {
                s.terms.keySet().forEach(k -> terms.put(k, mean(at, x -> x.term(k))));
                s.counters.keySet().forEach(k -> counters.put(k, (int) Math.round(mean(at, x -> (double) x.counter(k)))));
                s.diagnostics.keySet().forEach(k -> diagnostics.put(k, mean(at, x -> x.diagnostic(k))));
            }
            out.add(new EpochStats(e + 1, terms, counters, mean(at, EpochStats::trainLoss), mean(at, EpochStats::gradNorm),
                    mean(at, EpochStats::validMae), mean(at, EpochStats::testMae), mean(at, EpochStats::lrMain), false,
                    mean(at, EpochStats::seconds), mean(at, EpochStats::rssMb), diagnostics));
        }
        return out;
    }

    private static double mean(List<EpochStats> records, java.util.function.ToDoubleFunction<EpochStats> f) {
        double sum = 0;
        int n = 0;
        for (EpochStats s : records) {
            double v = f.applyAsDouble(s);
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double d(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
