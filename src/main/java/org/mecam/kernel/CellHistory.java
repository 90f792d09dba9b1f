package org.mecam.kernel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;

/**
 * The kernel session's execution history, for {@code history_request}: each stored cell's
 * execution count, source and text output, answered by tail, range and glob search as IPython
 * does (one session, numbered {@link #SESSION}; sessions 0 and negative numbers mean the current
 * one; a range's stop is exclusive; a search returns the last {@code n} matches, oldest first,
 * with {@code unique} keeping only the latest of equal sources).
 */
final class CellHistory {

    /** The session number entries carry. */
    static final int SESSION = 1;

    private record Cell(int count, String input, String output) {}

    private final List<Cell> cells = new ArrayList<>();

    /** Records a stored cell (its output may be updated later with {@link #output}). */
    synchronized void add(int count, String input) {
        cells.add(new Cell(count, input, ""));
    }

    /** Sets the text output of the cell with this execution count. */
    synchronized void output(int count, String output) {
        for (int i = cells.size() - 1; i >= 0; i--) {
            if (cells.get(i).count == count) {
                cells.set(i, new Cell(count, cells.get(i).input, output == null ? "" : output));
                return;
            }
        }
    }

    /** @return the entries the request asks for */
    synchronized List<HistoryEntry> answer(HistoryRequest request) {
        boolean output = request.includeOutput();
        List<Cell> picked = switch (request.getAccessType()) {
            case TAIL -> tail(((HistoryRequest.Tail) request).getMaxReturnLength());
            case RANGE -> {
                HistoryRequest.Range r = (HistoryRequest.Range) request;
                yield range(r.getSessionIndex(), r.getStart(), r.getStop());
            }
            case SEARCH -> {
                HistoryRequest.Search s = (HistoryRequest.Search) request;
                yield search(s.getPattern(), s.getMaxReturnLength(), s.filterUnique());
            }
        };
        return picked.stream().map(c -> new HistoryEntry(SESSION, c.count, c.input, output ? c.output : null)).toList();
    }

    private List<Cell> tail(int n) {
        return n <= 0 ? List.copyOf(cells) : List.copyOf(cells.subList(Math.max(0, cells.size() - n), cells.size()));
    }

    private List<Cell> range(int session, int start, int stop) {
        if (session > 0 && session != SESSION) {
            return List.of();
        }
        List<Cell> out = new ArrayList<>();
        for (Cell c : cells) {
            if (c.count >= start && (stop <= 0 || c.count < stop)) {
                out.add(c);
            }
        }
        return out;
    }

    private List<Cell> search(String glob, int n, boolean unique) {
        Pattern p = Pattern.compile(globToRegex(glob == null || glob.isEmpty() ? "*" : glob), Pattern.DOTALL);
        List<Cell> matches = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = cells.size() - 1; i >= 0 && (n <= 0 || matches.size() < n); i--) {
            Cell c = cells.get(i);
            if (p.matcher(c.input).matches() && (!unique || seen.add(c.input))) {
                matches.add(0, c);
            }
        }
        return matches;
    }

    /** @return a regex for a shell glob: {@code *} any text, {@code ?} one character, the rest literal */
    static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return sb.toString();
    }
}
