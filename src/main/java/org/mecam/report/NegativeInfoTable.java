package org.mecam.report;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.mecam.experiment.run.ResultStore;
import org.mecam.report.TextTable;
import tech.tablesaw.api.Table;

/**
 * Test metrics split by the samples' recorded negative information (synthetic data): clean
 * samples, affected ones, and each kind, per variant, mean ± std over seeds.
 */
final class NegativeInfoTable {

    /** The subsets written by {@link NegativeSubsets}, in table order. */
    static final List<String> SUBSETS = List.of("clean", "affected", "conflict", "noise", "drop", "shuffle");
    /** The subsets of the complementary preset, which has no dropped frames or shuffled words but garbled tokens. */
    static final List<String> COMPLEMENTARY_SUBSETS = List.of("clean", "affected", "conflict", "noise", "garble");

    private NegativeInfoTable() {}

    /** @return the table of a grid on a dataset, or null when its runs have no negative-information flags */
    static TextTable of(ResultStore store, GridSpec spec, String dataset) {
        List<String> subsets = subsets(store, spec.name(), List.of(dataset));
        List<String> headers = new ArrayList<>(List.of("variant"));
        subsets.forEach(g -> headers.add("MAE " + g));
        SUBSETS.subList(0, 2).forEach(g -> headers.add("Acc-2 " + g));
        TextTable table = new TextTable("Test metrics by negative information, " + spec.name() + " on " + dataset
                + " (mean ± std over seeds)", headers);
        boolean any = false;
        for (String v : spec.variants()) {
            List<String> cells = new ArrayList<>(List.of(v));
            for (String g : subsets) {
                cells.add(ExperimentReport.meanStd(array(values(store, spec, dataset, v, g, "mae"))));
            }
            for (String g : SUBSETS.subList(0, 2)) {
                cells.add(ExperimentReport.meanStd(array(values(store, spec, dataset, v, g, "acc2_has0"))));
            }
            any |= !cells.get(1).isEmpty();
            table.add(cells, null);
        }
        if (!any) {
            return null;
        }
        table.note("clean: test samples without negative information; affected: with any; then by kind.");
        return table;
    }

    /** @return the subsets of the data a grid's datasets were drawn from: the complementary preset's, or the others' */
    static List<String> subsets(ResultStore store, String grid, java.util.Collection<String> datasets) {
        boolean complementary = store.runs().stream().anyMatch(r -> r.grid().equals(grid) && datasets.contains(r.dataset())
                && r.config().has("preset") && r.config().get("preset").getAsString().equals("complementary"));
        return complementary ? COMPLEMENTARY_SUBSETS : SUBSETS;
    }

    /** @return a metric on one subset of the test samples, by seed, for a variant of a grid on a dataset */
    static SortedMap<Long, Double> values(ResultStore store, GridSpec spec, String dataset, String variant, String subset,
            String metric) {
        SortedMap<Long, Double> out = new TreeMap<>();
        Table sub = store.subsets();
        String run = spec.runVariant(variant);
        for (int i = 0; i < sub.rowCount(); i++) {
            if (sub.stringColumn("grid").get(i).equals(spec.name()) && sub.stringColumn("dataset").get(i).equals(dataset)
                    && sub.stringColumn("variant").get(i).equals(run) && sub.stringColumn("subset").get(i).equals(subset)
                    && sub.stringColumn("metric").get(i).equals(metric)) {
                out.put(sub.longColumn("seed").get(i), sub.doubleColumn("value").get(i));
            }
        }
        return out;
    }

    private static double[] array(SortedMap<Long, Double> bySeed) {
        return bySeed.values().stream().mapToDouble(Double::doubleValue).toArray();
    }
}
