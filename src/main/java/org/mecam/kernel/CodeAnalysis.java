package org.mecam.kernel;

import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SourceCodeAnalysis;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** Questions about code that the kernel answers with JShell's source analysis, without running anything. */
final class CodeAnalysis {

    private CodeAnalysis() {}

    /** {@code inspect_request}: JShell's documentation of what the cursor is on or inside. */
    static DisplayData inspect(JShell jshell, String code, int at, boolean extraDetail) {
        SourceCodeAnalysis sca = jshell.sourceCodeAnalysis();
        List<SourceCodeAnalysis.Documentation> docs = sca.documentation(code, at, extraDetail);
        if (docs.isEmpty()) {
            // JShell documents what a call's "(" opens: with the cursor on a name (at its end or
            // inside it), ask as if a "(" followed the name
            int end = at;
            while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
                end++;
            }
            if (end > 0 && Character.isJavaIdentifierPart(code.charAt(end - 1))) {
                String call = code.substring(0, end) + "(";
                docs = sca.documentation(call, call.length(), extraDetail);
            }
        }
        if (docs.isEmpty()) {
            return null;
        }
        return new DisplayData(docs.stream().map(d -> d.signature() + (d.javadoc() == null ? "" : "\n" + d.javadoc()))
                .collect(Collectors.joining("\n\n")));
    }

    /** {@code complete_request}: JShell's completion suggestions. */
    static ReplacementOptions complete(JShell jshell, String code, int at) {
        int[] anchor = new int[1];
        List<String> options = jshell.sourceCodeAnalysis().completionSuggestions(code, at, anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        return new ReplacementOptions(options, anchor[0], at);
    }

    /** {@code is_complete_request}: complete, incomplete (with an indent) or invalid. */
    static String isComplete(JShell jshell, String code) {
        if (code.stripLeading().startsWith("%")) {
            return BaseKernel.IS_COMPLETE_YES; // line and cell magics are complete lines, not Java
        }
        SourceCodeAnalysis sca = jshell.sourceCodeAnalysis();
        SourceCodeAnalysis.CompletionInfo i = sca.analyzeCompletion(code);
        while (i.completeness().isComplete()) {
            i = sca.analyzeCompletion(i.remaining());
        }
        return switch (i.completeness()) {
            case EMPTY -> parses(jshell, code) ? BaseKernel.IS_COMPLETE_YES : BaseKernel.IS_COMPLETE_BAD;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            default -> BaseKernel.IS_COMPLETE_BAD;
        };
    }

    /**
     * @return whether every snippet of complete source parses: JShell's completeness analysis
     *     calls {@code int x = 1 1;} or a lone {@code )} complete, its snippet parser marks them
     *     {@link Snippet.Kind#ERRONEOUS} (unknown names are not parse errors and stay valid)
     */
    private static boolean parses(JShell jshell, String code) {
        try {
            for (Snippet sn : jshell.sourceCodeAnalysis().sourceToSnippets(code)) {
                if (sn.kind() == Snippet.Kind.ERRONEOUS) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return true; // the analysis itself failed: let execution report the problem
        }
    }
}
