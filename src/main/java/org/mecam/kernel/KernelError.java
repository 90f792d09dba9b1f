package org.mecam.kernel;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;

/** A cell failure as Jupyter reports it: {@code ename}, {@code evalue} and a traceback whose first line is both. */
final class KernelError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final String ename;
    final String evalue;
    final List<String> traceback;

    KernelError(String ename, String evalue, List<String> details) {
        super(ename + ": " + evalue, null, false, false);
        this.ename = ename;
        this.evalue = evalue;
        List<String> tb = new ArrayList<>();
        tb.add(ename + ": " + evalue);
        tb.addAll(details);
        this.traceback = List.copyOf(tb);
    }

    /** @return the error of a Java exception: its class, message, the cell's frames and the causes */
    static KernelError of(Throwable t) {
        if (t instanceof KernelError k) {
            return k;
        }
        return new KernelError(t.getClass().getName(), t.getMessage() == null ? "" : t.getMessage(), frames(t));
    }

    /** @return the error of an exception JShell reports with only its class name ({@code EvalException}) */
    static KernelError of(Throwable t, String className) {
        return new KernelError(className, String.valueOf(t.getMessage()), frames(t));
    }

    /** @return the stack trace below the first line, without the frames of the kernel and JShell's reflection */
    private static List<String> frames(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        List<String> lines = new ArrayList<>();
        boolean skipping = false;
        List<String> all = sw.toString().lines().toList();
        for (int i = 1; i < all.size(); i++) {
            String line = all.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("Caused by:") || trimmed.startsWith("Suppressed:")) {
                skipping = false;
                lines.add(line);
                continue;
            }
            if (trimmed.startsWith("at ") && (trimmed.contains("org.mecam.kernel.CapturingExecutionControl")
                    || trimmed.contains("jdk.internal.reflect.") || trimmed.contains("java.lang.reflect.Method.invoke")
                    || trimmed.contains("jdk.jshell.execution."))) {
                skipping = true;
            }
            if (!skipping) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** @return the compile error of a rejected snippet: the first diagnostic, then each with its line and a caret */
    static KernelError compileError(JShell jshell, Snippet sn) {
        List<String> details = new ArrayList<>();
        String first = null;
        String src = sn.source();
        for (Diag d : jshell.diagnostics(sn).toList()) {
            if (!d.isError()) {
                continue;
            }
            String msg = d.getMessage(Locale.ROOT);
            if (first == null) {
                first = msg.lines().findFirst().orElse(msg);
                msg.lines().skip(1).forEach(l -> details.add("  " + l.strip()));
            } else {
                msg.lines().forEach(l -> details.add("  " + l.strip()));
            }
            int start = (int) Math.max(0, Math.min(d.getStartPosition(), src.length()));
            int end = (int) Math.max(start, Math.min(d.getEndPosition(), src.length()));
            int lineStart = src.lastIndexOf('\n', Math.max(0, start - 1)) + 1;
            if (start == 0) {
                lineStart = 0;
            }
            int lineEnd = src.indexOf('\n', start);
            if (lineEnd < 0) {
                lineEnd = src.length();
            }
            details.add("    " + src.substring(lineStart, lineEnd));
            int caretEnd = Math.max(start + 1, Math.min(end, lineEnd));
            details.add("    " + " ".repeat(start - lineStart) + "^" + (caretEnd - start > 1
                    ? "-".repeat(caretEnd - start - 2) + "^" : ""));
        }
        return new KernelError("CompilationException", first == null ? "the code could not be compiled" : first, details);
    }

}
