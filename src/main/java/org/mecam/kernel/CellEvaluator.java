package org.mecam.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;
import org.mecam.engine.Interruption;

/**
 * Evaluation of a cell for {@link MecamKernel}: {@code %load} lines inlined, the code split into
 * complete snippets and run in JShell one by one, and what goes wrong turned into a
 * {@link KernelError} (compile errors, the user code's own exception, unresolved references, an
 * interrupt between or during snippets).
 */
final class CellEvaluator {

    private static final Pattern LOAD = Pattern.compile("(?m)^[ \\t]*%load[ \\t]+(\\S+)[ \\t]*$");

    private final JShell jshell;
    private final BooleanSupplier interrupted;

    /** @param interrupted whether the cell has been interrupted (checked before and after each snippet) */
    CellEvaluator(JShell jshell, BooleanSupplier interrupted) {
        this.jshell = jshell;
        this.interrupted = interrupted;
    }

    /**
     * Runs a cell's code (magics already resolved) snippet by snippet.
     *
     * @return the Java value of the last expression, or null
     * @throws KernelError for code that does not compile, an exception it throws, or an interrupt
     */
    Object eval(String source) {
        SourceCodeAnalysis sca = jshell.sourceCodeAnalysis();
        Object result = null;
        String remaining = source;
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = sca.analyzeCompletion(remaining);
            SourceCodeAnalysis.Completeness c = info.completeness();
            if (c == SourceCodeAnalysis.Completeness.EMPTY) {
                return result;
            }
            if (c.isComplete()) {
                result = evalSnippet(info.source());
                remaining = info.remaining();
                continue;
            }
            if (c == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                    || c == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                throw new KernelError("CompilationException", "incomplete code at the end of the cell (a missing ';',"
                        + " ')' or '}'?)", remaining.strip().lines().map(l -> "    " + l).toList());
            }
            // not analysable: let the compiler say what is wrong
            return evalSnippet(remaining);
        }
    }

    /**
     * IJava's {@code %load FILE}: the file's Java code in place of the line (relative paths from
     * the kernel's working directory, the notebook's folder), so that notebooks share one setup.
     */
    static String inlineLoads(String code) {
        Matcher m = LOAD.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Path file = Path.of(m.group(1));
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new KernelError("IOException", "%load " + m.group(1) + ": cannot read " + file.toAbsolutePath()
                        + " (" + e.getMessage() + ")", List.of());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text.strip()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Object evalSnippet(String src) {
        if (interrupted.getAsBoolean()) {
            throw interruptedError();
        }
        List<SnippetEvent> events = jshell.eval(src);
        if (interrupted.getAsBoolean()) {
            throw interruptedError();
        }
        Object value = null;
        boolean sawSnippet = false;
        for (SnippetEvent ev : events) {
            if (ev.causeSnippet() != null) {
                continue;
            }
            sawSnippet = true;
            if (ev.exception() != null) {
                throw userError(ev.exception());
            }
            Snippet sn = ev.snippet();
            if (ev.status() == Snippet.Status.REJECTED) {
                throw KernelError.compileError(jshell, sn);
            }
            if (ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                    || ev.status() == Snippet.Status.RECOVERABLE_DEFINED) {
                String missing = sn instanceof DeclarationSnippet d
                        ? jshell.unresolvedDependencies(d).collect(Collectors.joining(", ")) : "";
                if (ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                    throw new KernelError("CompilationException", "cannot define this until " + missing
                            + " is declared", List.of());
                }
                System.err.println("note: declared, but it cannot be used until " + missing + " is declared");
            }
            value = switch (sn.subKind()) {
                case VAR_VALUE_SUBKIND, TEMP_VAR_EXPRESSION_SUBKIND, OTHER_EXPRESSION_SUBKIND ->
                        CapturingExecutionControl.takeLastValue();
                default -> null;
            };
        }
        if (!sawSnippet) {
            throw new KernelError("CompilationException", "this code could not be compiled", List.of("    " + src.strip()));
        }
        return value;
    }

    private KernelError interruptedError() {
        return new KernelError("Interrupted", "the cell was interrupted", List.of());
    }

    private KernelError userError(JShellException shown) {
        Throwable real = CapturingExecutionControl.takeLastThrown();
        if (interrupted.getAsBoolean() || real instanceof Interruption.InterruptedRunException) {
            return interruptedError();
        }
        if (real != null) {
            // magics run through BaseNotebookStatics, which wraps what they throw
            if (real.getCause() != null && real.getStackTrace().length > 0
                    && real.getStackTrace()[0].getClassName().equals(BaseNotebookStatics.class.getName())) {
                real = real.getCause();
            }
            return KernelError.of(real);
        }
        if (shown instanceof UnresolvedReferenceException u) {
            String missing = jshell.unresolvedDependencies(u.getSnippet()).collect(Collectors.joining(", "));
            return new KernelError("UnresolvedReferenceException", "this uses " + u.getSnippet().source().strip()
                    + ", which cannot run until " + missing + " is declared", List.of());
        }
        String name = shown instanceof EvalException e ? e.getExceptionClassName() : shown.getClass().getName();
        return KernelError.of(shown, name);
    }
}
