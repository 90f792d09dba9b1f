package org.mecam.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.mecam.eval.SentimentMetrics;

/**
 * The ablation figures on hand-made runs: the differences figure's data are the differences
 * table's numbers, a {@code same_as} variant is drawn once, the bars start at zero, and every
 * figure the report writes has its data as CSV beside it. Grid {@code g} on dataset {@code d}:
 * reference {@code a}, {@code b} clearly worse, {@code c} alike, {@code c again} and
 * {@code a again} reusing the runs of {@code c} and {@code a}; four seeds.
 */
class AblationFiguresTest {

    @TempDir
    Path root;

    private static final double[] NOISE = {0.004, -0.006, 0.009, -0.002};

    private void run(String variant, long seed, double mae, double acc) throws Exception {
        Path dir = Files.createDirectories(root.resolve("g/d").resolve(variant).resolve("seed-" + seed));
        Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, "{\"preset\": \"complementary\","
                + " \"epochs\": 3, \"seed\": %d, \"provenance\": {\"experiment\": {\"grid\": \"g\", \"dataset\": \"d\","
                + " \"variant\": \"%s\", \"seed\": %d}}}", seed, variant, seed));
        StringBuilder m = new StringBuilder("{");
        for (String k : SentimentMetrics.KEYS) {
            m.append('"').append(k).append("\": ").append(k.equals("mae") ? mae : k.equals("corr") ? 0.5 : acc).append(", ");
        }
        Files.writeString(dir.resolve("metrics.json"), m.append("\"best_epoch\": 2}"));
        StringBuilder p = new StringBuilder("index,id,prediction,label,negative,negative_modality\n");
        for (int i = 0; i < 6; i++) {
            p.append(String.format(Locale.ROOT, "%d,s%d,%s,%s,none,none%n", i, i, (float) (i - 2.5 + mae), (float) (i - 3.0)));
        }
        Files.writeString(dir.resolve("predictions.csv"), p);
    }

    @BeforeEach
    void runs() throws Exception {
        Files.createDirectories(root.resolve("g"));
        Files.writeString(root.resolve("g/grid.json"), "{\"name\": \"g\", \"reference\": \"a\", \"variants\": [\"a\", \"b\","
                + " \"c\", \"c again\", \"a again\"], \"same_as\": {\"c again\": \"c\", \"a again\": \"a\"},"
                + " \"seeds\": [1, 2, 3, 4]}");
        for (int s = 0; s < 4; s++) {
            run("a", s + 1, 0.70 + 0.01 * s, 0.80 - 0.01 * s);
            run("b", s + 1, 0.80 + 0.01 * s + NOISE[s], 0.75 - 0.01 * s - NOISE[s]);
            run("c", s + 1, 0.70 + 0.01 * s + NOISE[(s + 1) % 4], 0.80 - 0.01 * s + NOISE[(s + 2) % 4]);
        }
    }

    /** "+0.011 [+0.002, +0.019] (p=0.026)" of a differences table cell: mean, low, high. */
    private static final Pattern CELL = Pattern.compile("([+-]\\d\\.\\d{3}) \\[([+-]\\d\\.\\d{3}), ([+-]\\d\\.\\d{3})\\] \\(p=.*\\)");

    private static List<Map<String, String>> csv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        List<String> headers = cells(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = cells(line);
            assertEquals(headers.size(), cells.size(), line);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < headers.size(); i++) {
                row.put(headers.get(i), cells.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    /** @return the cells of one RFC 4180 line (no line breaks inside cells) */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted && ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cell.append('"');
                i++;
            } else if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString());
        return out;
    }

    private static String f3(String number) {
        return String.format(Locale.ROOT, "%+.3f", Double.parseDouble(number));
    }

    @Test
    void differenceFigureDataAreTheTablesNumbersEachVariantOnceSorted() throws Exception {
        ExperimentReport.write(root);
        TextTable table = ExperimentReport.of(root).ablationDifferences("g", "d");
        Map<String, List<String>> byVariant = new HashMap<>();
        table.rows().forEach(r -> byVariant.put(r.get(0), r));
        assertEquals(List.of("b", "c", "c again"), table.rows().stream().map(r -> r.get(0)).toList(),
                "the table has the alias as a row (and leaves the reference's alias out)");
        for (String metric : AblationReport.FIGURE_METRICS) {
            Path file = root.resolve("figures").resolve("g-d-ablation-vs-a-" + metric + ".csv");
            assertTrue(Files.isRegularFile(root.resolve("figures").resolve("g-d-ablation-vs-a-" + metric + ".png")));
            List<Map<String, String>> rows = csv(file);
            assertEquals(List.of("b", "c"), rows.stream().map(r -> r.get("variant")).sorted().toList(),
                    metric + ": 'c again' reuses the runs of 'c' and is drawn once");
            int column = table.headers().indexOf("Δ " + ExperimentReport.LABELS.get(metric) + " [95% CI] (p)");
            double previous = Double.NEGATIVE_INFINITY;
            for (Map<String, String> r : rows) {
                Matcher cell = CELL.matcher(byVariant.get(r.get("variant")).get(column));
                assertTrue(cell.matches(), byVariant.get(r.get("variant")).get(column));
                assertEquals(cell.group(1), f3(r.get("mean_difference")), metric + " " + r);
                assertEquals(cell.group(2), f3(r.get("ci95_low")), metric + " " + r);
                assertEquals(cell.group(3), f3(r.get("ci95_high")), metric + " " + r);
                assertEquals("4", r.get("pairs"));
                double mean = Double.parseDouble(r.get("mean_difference"));
                assertTrue(mean >= previous, "sorted by the difference, smallest first: " + rows);
                previous = mean;
                if (metric.equals("mae")) {
                    assertEquals(byVariant.get(r.get("variant")).get(table.headers().indexOf("MAE: p (Holm)")),
                            String.format(Locale.ROOT, "%.3f", Double.parseDouble(r.get("p_holm"))),
                            "Holm over the table's variants, as in the table");
                }
                assertEquals(Double.parseDouble(r.get("p_holm")) < 0.05, Boolean.parseBoolean(r.get("holm_significant")));
            }
        }
        Map<String, String> b = csv(root.resolve("figures/g-d-ablation-vs-a-mae.csv")).stream()
                .filter(r -> r.get("variant").equals("b")).findFirst().orElseThrow();
        Map<String, String> c = csv(root.resolve("figures/g-d-ablation-vs-a-mae.csv")).stream()
                .filter(r -> r.get("variant").equals("c")).findFirst().orElseThrow();
        assertEquals("true", b.get("holm_significant"), "0.1 worse with small noise: " + b);
        assertEquals("false", c.get("holm_significant"), "alike: " + c);

        org.knowm.xchart.XYChart chart = ExperimentReport.of(root).ablationDifferenceChart("g", "d", "mae");
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(k -> k.startsWith("Holm-corrected")));
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(k -> k.startsWith("not significant")));
        assertEquals(2, chart.getSeriesMap().keySet().stream().filter(k -> k.startsWith("interval")).count());
    }

    @Test
    void barsStartAtZeroAndDrawAnAliasOnce() throws Exception {
        ExperimentReport report = ExperimentReport.of(root);
        for (String metric : AblationReport.FIGURE_METRICS) {
            CategoryChart bars = report.ablationBars("g", "d", metric);
            assertEquals(0.0, bars.getStyler().getYAxisMin(), metric);
            CategorySeries s = bars.getSeriesMap().values().iterator().next();
            assertEquals(List.of("a", "b", "c"), List.copyOf(s.getXData()), metric);
        }
        ExperimentReport.write(root);
        List<String> drawn = csv(root.resolve("figures/g-d-ablation-mae.csv")).stream().map(r -> r.get("x")).toList();
        assertEquals(List.of("a", "b", "c"), drawn);
    }

    @Test
    void everyFigureHasItsDataBesideIt() throws Exception {
        List<Path> written = ExperimentReport.write(root);
        List<Path> figures;
        try (Stream<Path> s = Files.list(root.resolve("figures"))) {
            figures = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(8, figures.size(), "3 bars, 3 differences, predictions, confusion: " + figures);
        for (Path png : figures) {
            String base = png.getFileName().toString().replaceAll("\\.png$", "");
            Path csv = png.resolveSibling(base + ".csv");
            assertTrue(Files.isRegularFile(png.resolveSibling(base + ".svg")), base);
            assertTrue(Files.isRegularFile(csv), base + " has no data file");
            assertTrue(written.contains(csv), base + ".csv is among the files the report says it wrote");
            List<String> lines = Files.readAllLines(csv);
            assertTrue(lines.size() > 1, base + ": data rows");
        }
        try (Stream<Path> s = Files.list(root.resolve("figures"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".partial")), "no staging file is left");
        }
        List<String> confusion = Files.readAllLines(root.resolve("figures/g-d-confusion-7class.csv"));
        assertEquals("panel,panel_title,x_axis,y_axis,series,x,y,value", confusion.get(0));
        assertEquals(1 + 49, confusion.size(), "one row a cell of the 7 x 7 matrix");
        assertEquals(6, confusion.stream().skip(1).mapToInt(l -> Integer.parseInt(l.substring(l.lastIndexOf(',') + 1))).sum(),
                "the counts add up to the test samples");
        List<String> bars = Files.readAllLines(root.resolve("figures/g-d-ablation-mae.csv"));
        assertEquals("panel,panel_title,x_axis,y_axis,series,x,y,error_bar", bars.get(0));
    }

    @Test
    void numbersKeepEightSignificantDigits() {
        assertEquals("0.12345679", FigureData.number(0.123456789));
        assertEquals("3", FigureData.number(3.0));
        assertEquals("-0.5", FigureData.number(-0.5));
        assertEquals("", FigureData.number(Double.NaN));
        assertEquals("1.2345679E-7", FigureData.number(1.23456789e-7));
    }
}
