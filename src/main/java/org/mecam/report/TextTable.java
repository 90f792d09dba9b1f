package org.mecam.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A formatted table (cells as text, some bold) written as CSV, Markdown and LaTeX (booktabs),
 * each file written whole and renamed into place.
 */
public final class TextTable {

    private final String title;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<boolean[]> bold = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public TextTable(String title, List<String> headers) {
        this.title = title;
        this.headers = List.copyOf(headers);
    }

    /** Adds a row; {@code boldCells} marks cells to emphasise (may be null). */
    public TextTable add(List<String> cells, boolean[] boldCells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + headers.size() + " columns");
        }
        rows.add(List.copyOf(cells));
        bold.add(boldCells == null ? new boolean[cells.size()] : boldCells.clone());
        return this;
    }

    /** Adds a note printed under the table (and as the LaTeX caption). */
    public TextTable note(String note) {
        notes.add(note);
        return this;
    }

    /** @return the title (a caption; not part of CSV or Markdown files) */
    public String title() {
        return title;
    }

    /** @return the notes under the table */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    public List<String> headers() {
        return headers;
    }

    public List<List<String>> rows() {
        return rows;
    }

    /** @return whether cell (row, column) is bold */
    public boolean isBold(int row, int column) {
        return bold.get(row)[column];
    }

    /** @return RFC 4180 CSV, plain values */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", headers.stream().map(TextTable::csvCell).toList())).append('\n');
        for (List<String> r : rows) {
            sb.append(String.join(",", r.stream().map(TextTable::csvCell).toList())).append('\n');
        }
        return sb.toString();
    }

    /** @return a GitHub-flavoured Markdown table, best values in bold */
    public String markdown() {
        StringBuilder sb = new StringBuilder("**").append(title).append("**\n\n| ");
        sb.append(String.join(" | ", headers.stream().map(h -> h.replace("|", "\\|")).toList())).append(" |\n|");
        headers.forEach(h -> sb.append("---|"));
        sb.append('\n');
        for (int i = 0; i < rows.size(); i++) {
            sb.append("| ");
            for (int c = 0; c < headers.size(); c++) {
                String cell = rows.get(i).get(c).replace("|", "\\|");
                sb.append(bold.get(i)[c] && !cell.isEmpty() ? "**" + cell + "**" : cell).append(" | ");
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        notes.forEach(n -> sb.append('\n').append(n).append('\n'));
        return sb.toString();
    }

    /** @return a LaTeX table with booktabs rules, best values in bold */
    public String latex() {
        StringBuilder sb = new StringBuilder("% requires \\usepackage{booktabs}\n\\begin{table}[t]\n\\centering\n");
        sb.append("\\caption{").append(escape(title)).append(notes.isEmpty() ? "" : ". " + escape(String.join(" ", notes)))
                .append("}\n");
        sb.append("\\begin{tabular}{l").append("r".repeat(headers.size() - 1)).append("}\n\\toprule\n");
        sb.append(String.join(" & ", headers.stream().map(TextTable::escape).toList())).append(" \\\\\n\\midrule\n");
        for (int i = 0; i < rows.size(); i++) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < headers.size(); c++) {
                String cell = escape(rows.get(i).get(c));
                cells.add(bold.get(i)[c] && !cell.isEmpty() ? "\\textbf{" + cell + "}" : cell);
            }
            sb.append(String.join(" & ", cells)).append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        return sb.toString();
    }

    /** Writes {@code base.csv}, {@code base.md} and {@code base.tex}. */
    public List<Path> write(Path dir, String base) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (String[] f : new String[][] {{".csv", csv()}, {".md", markdown()}, {".tex", latex()}}) {
            Path target = dir.resolve(base + f[0]);
            Path tmp = FigureFiles.partial(dir, base + f[0]);
            try {
                Files.writeString(tmp, f[1], StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp); // a full disk, say: no half-written table is left behind
                throw e;
            }
            out.add(target);
        }
        return out;
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    static String escape(String s) {
        return s.replace("\\", "\\textbackslash{}").replace("&", "\\&").replace("%", "\\%").replace("_", "\\_")
                .replace("#", "\\#").replace("±", "$\\pm$").replace("Δ", "$\\Delta$").replace("≥", "$\\geq$");
    }
}
