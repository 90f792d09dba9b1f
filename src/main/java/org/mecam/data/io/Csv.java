package org.mecam.data.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mecam.data.DataFormatException;

/** A small CSV reader (RFC 4180 quoting, quoted newlines) with columns found by header name. */
public final class Csv {

    private final Path file;
    private final List<String> header;
    private final List<List<String>> rows;

    private Csv(Path file, List<String> header, List<List<String>> rows) {
        this.file = file;
        this.header = header;
        this.rows = rows;
    }

    /**
     * @throws DataFormatException naming the file if it is missing, unreadable or empty
     */
    public static Csv read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file.toAbsolutePath() + ": file not found");
        } catch (IOException e) {
            throw new DataFormatException(file.toAbsolutePath() + ": cannot read: " + e.getMessage());
        }
        List<List<String>> records = parse(text);
        if (records.isEmpty()) {
            throw new DataFormatException(file + ": empty CSV file");
        }
        List<String> header = new ArrayList<>();
        for (String h : records.get(0)) {
            header.add(h.trim().replace("\uFEFF", "").toLowerCase(Locale.ROOT));
        }
        return new Csv(file, header, records.subList(1, records.size()));
    }

    /** @return every record of the text, each a list of cells */
    public static List<List<String>> parse(String text) {
        List<List<String>> out = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
                continue;
            }
            if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                record.add(cell.toString());
                cell.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || cell.length() > 0) {
                    record.add(cell.toString());
                    out.add(record);
                }
                record = new ArrayList<>();
                cell.setLength(0);
                any = false;
            } else {
                cell.append(c);
                any = true;
            }
        }
        if (any || cell.length() > 0) {
            record.add(cell.toString());
            out.add(record);
        }
        return out;
    }

    public Path file() {
        return file;
    }

    public List<String> header() {
        return header;
    }

    /** @return the number of data rows */
    public int size() {
        return rows.size();
    }

    /**
     * @return the index of a column
     * @throws DataFormatException naming the file, the column and the header when it is missing
     */
    public int column(String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new DataFormatException(file + ": no column '" + name + "' in the header " + header
                    + " (a headerless file? the first line must name the columns)");
        }
        return i;
    }

    /** @return a cell, or "" when the row is short */
    public String get(int row, int column) {
        List<String> r = rows.get(row);
        return column < r.size() ? r.get(column) : "";
    }
}
