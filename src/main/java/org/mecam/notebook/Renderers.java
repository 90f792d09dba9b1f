package org.mecam.notebook;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.common.Text;
import org.dflib.jjava.jupyter.kernel.display.common.Url;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.data.io.DataInspector;
import org.mecam.eval.SentimentMetrics;
import org.mecam.experiment.RunResult;
import org.mecam.report.FigureFiles;
import org.mecam.report.TextTable;
import tech.tablesaw.api.Table;

/**
 * How notebook values are shown: XChart charts as PNG (SVG on request), Tablesaw tables and the
 * kit's tables as HTML and plain text, configurations as JSON, metrics and runs as small tables.
 * Every rendering also carries {@code text/plain}, so that executed notebooks read well anywhere.
 */
public final class Renderers {

    /** Rows of a Tablesaw table shown before the rest is elided. */
    static final int MAX_ROWS = 60;

    private static final MIMEType MARKDOWN = MIMEType.TEXT_MARKDOWN;

    private static volatile Renderer standalone;

    private Renderers() {}

    /** The renderers the kit's renderers were registered with (its own kernel's). */
    private static final java.util.Set<Renderer> REGISTERED =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    /** @return whether {@link #registerAll} was called on {@code r} */
    public static boolean registeredIn(Renderer r) {
        return r != null && REGISTERED.contains(r);
    }

    /** Registers the kit's renderers on a kernel's renderer. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static void registerAll(Renderer r) {
        REGISTERED.add(r);
        r.createRegistration((Class) Chart.class).preferring(MIMEType.IMAGE_PNG).supporting(MIMEType.IMAGE_SVG)
                .register((chart, ctx) -> {
                    List<Chart<?, ?>> one = List.of((Chart<?, ?>) chart);
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> png(FigureFiles.image(one, 1)));
                    ctx.renderIfRequested(MIMEType.IMAGE_SVG, () -> FigureFiles.svg(one, 1));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> chartText((Chart<?, ?>) chart));
                });
        r.createRegistration(java.awt.image.BufferedImage.class).preferring(MIMEType.IMAGE_PNG).register((img, ctx) -> {
            ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> png(img));
            ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> "image " + img.getWidth() + "x" + img.getHeight());
        });
        r.createRegistration(Table.class).preferring(MIMEType.TEXT_HTML).register((t, ctx) -> {
            ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(t));
            ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> t.print(MAX_ROWS));
        });
        r.createRegistration(TextTable.class).preferring(MIMEType.TEXT_HTML).supporting(MARKDOWN).register((t, ctx) -> {
            ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(t));
            ctx.renderIfRequested(MARKDOWN, t::markdown);
            ctx.renderIfRequested(MIMEType.TEXT_PLAIN, t::markdown);
        });
        r.createRegistration(DataInspector.Report.class).preferring(MIMEType.TEXT_HTML).register((rep, ctx) -> {
            ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(rep));
            ctx.renderIfRequested(MIMEType.TEXT_PLAIN, rep::text);
        });
        r.createRegistration(RunConfig.class).register((c, ctx) ->
                ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> ConfigJson.toJson(c)));
        r.createRegistration(SentimentMetrics.class).preferring(MIMEType.TEXT_HTML).register((m, ctx) -> {
            ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(metricsTable(m, "test metrics")));
            ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> metricsTable(m, "test metrics").markdown());
        });
        r.createRegistration(RunResult.class).preferring(MIMEType.TEXT_HTML).register((run, ctx) -> {
            ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(summary(run)));
            ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> summary(run).markdown());
        });
    }

    /**
     * @return a renderer with the standard image, text and URL renderers and the kit's, for use
     *     under another kernel on the same messaging library (JJava) or outside any kernel
     */
    public static Renderer standalone() {
        Renderer r = standalone;
        if (r == null) {
            synchronized (Renderers.class) {
                if (standalone == null) {
                    Renderer fresh = new Renderer();
                    Image.registerAll(fresh);
                    Url.registerAll(fresh);
                    Text.registerAll(fresh);
                    registerAll(fresh);
                    standalone = fresh;
                }
                r = standalone;
            }
        }
        return r;
    }

    /** @return a one-row table of the eight metrics */
    public static TextTable metricsTable(SentimentMetrics m, String label) {
        List<String> headers = new java.util.ArrayList<>(List.of(""));
        List<String> cells = new java.util.ArrayList<>(List.of(label));
        for (Map.Entry<String, Double> e : m.toMap().entrySet()) {
            headers.add(metricLabel(e.getKey()));
            cells.add(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        return new TextTable("Test metrics", headers).add(cells, null);
    }

    /** @return a run's outcome: where it is, how training ended, and its test metrics */
    public static TextTable summary(RunResult run) {
        List<String> headers = new java.util.ArrayList<>(List.of("run", "best epoch", "epochs run"));
        List<String> cells = new java.util.ArrayList<>(List.of(run.dir() == null ? "" : run.dir().toString(),
                Integer.toString(run.training().bestEpoch()), Integer.toString(run.training().epochs().size())));
        if (run.metrics() != null) {
            for (Map.Entry<String, Double> e : run.metrics().toMap().entrySet()) {
                headers.add(metricLabel(e.getKey()));
                cells.add(String.format(Locale.ROOT, "%.4f", e.getValue()));
            }
        }
        TextTable t = new TextTable("Run", headers).add(cells, null);
        t.note(run.training().stopReason());
        return t;
    }

    private static String metricLabel(String key) {
        return switch (key) {
            case "mae" -> "MAE";
            case "corr" -> "Corr";
            case "acc7" -> "Acc-7";
            case "acc5" -> "Acc-5";
            case "acc2_has0" -> "Acc-2 (has0)";
            case "f1_has0" -> "F1 (has0)";
            case "acc2_non0" -> "Acc-2 (non0)";
            case "f1_non0" -> "F1 (non0)";
            default -> key;
        };
    }

    /** @return the image as base64 PNG, as Jupyter's image/png wants it */
    public static String png(RenderedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static String chartText(Chart<?, ?> chart) {
        String title = chart.getTitle();
        return chart.getClass().getSimpleName() + (title == null || title.isEmpty() ? "" : ": " + title);
    }

    /** @return HTML of a Tablesaw table: a caption with its name and shape, at most {@link #MAX_ROWS} rows */
    static String html(Table t) {
        StringBuilder sb = new StringBuilder("<table class=\"mecam-table\">");
        sb.append("<caption style=\"caption-side: top; text-align: left\">").append(escape(t.name())).append(" (")
                .append(t.rowCount()).append(" rows × ").append(t.columnCount()).append(" columns)</caption><thead><tr>");
        for (String c : t.columnNames()) {
            sb.append("<th>").append(escape(c)).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        int shown = Math.min(t.rowCount(), MAX_ROWS);
        for (int i = 0; i < shown; i++) {
            sb.append("<tr>");
            for (int c = 0; c < t.columnCount(); c++) {
                sb.append("<td>").append(escape(t.getString(i, c))).append("</td>");
            }
            sb.append("</tr>");
        }
        if (shown < t.rowCount()) {
            sb.append("<tr><td colspan=\"").append(t.columnCount()).append("\">… ").append(t.rowCount() - shown)
                    .append(" more rows</td></tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    /** @return HTML of a kit table: title, bold cells, notes */
    static String html(TextTable t) {
        StringBuilder sb = new StringBuilder("<table class=\"mecam-table\">");
        if (t.title() != null && !t.title().isEmpty()) {
            sb.append("<caption style=\"caption-side: top; text-align: left\"><b>").append(escape(t.title()))
                    .append("</b></caption>");
        }
        sb.append("<thead><tr>");
        t.headers().forEach(h -> sb.append("<th>").append(escape(h)).append("</th>"));
        sb.append("</tr></thead><tbody>");
        for (int i = 0; i < t.rows().size(); i++) {
            sb.append("<tr>");
            List<String> row = t.rows().get(i);
            for (int c = 0; c < row.size(); c++) {
                String cell = escape(row.get(c));
                sb.append("<td>").append(t.isBold(i, c) ? "<b>" + cell + "</b>" : cell).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</tbody></table>");
        for (String note : t.notes()) {
            sb.append("<p style=\"font-size: smaller\">").append(escape(note)).append("</p>");
        }
        return sb.toString();
    }

    private static String html(DataInspector.Report rep) {
        StringBuilder sb = new StringBuilder("<p><b>").append(escape(rep.source())).append("</b> (")
                .append(escape(rep.layout())).append(")</p>");
        for (Table t : new Table[] {rep.arrays(), rep.lengths(), rep.labels()}) {
            if (t != null && t.rowCount() > 0) {
                sb.append(html(t));
            }
        }
        if (!rep.inputs().isEmpty()) {
            sb.append("<p>Model inputs: ").append(escape(String.join(", ", rep.inputs()))).append("</p>");
        }
        return sb.toString();
    }

    /** @return the text with HTML's special characters escaped */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** @return display data holding Markdown (and the same text as plain text) */
    public static DisplayData markdown(String markdown) {
        DisplayData d = new DisplayData(markdown);
        d.putMarkdown(markdown);
        return d;
    }

    /** @return display data holding HTML (and {@code plain} as plain text) */
    public static DisplayData html(String html, String plain) {
        DisplayData d = new DisplayData(plain);
        d.putHTML(html);
        return d;
    }
}
