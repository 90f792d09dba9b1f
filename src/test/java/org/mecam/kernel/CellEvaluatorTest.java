package org.mecam.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jshell.JShell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cell's evaluation without the Jupyter protocol: values, compile errors, exceptions, interrupts, %load. */
class CellEvaluatorTest {

    @Test
    void runsACellSnippetBySnippetAndNamesWhatWentWrong() {
        AtomicBoolean interrupted = new AtomicBoolean();
        try (JShell jshell = JShell.builder().executionEngine(new CapturingExecutionControl.Provider(), Map.of()).build()) {
            CellEvaluator cells = new CellEvaluator(jshell, interrupted::get);
            assertEquals(6, cells.eval("int x = 2;\nx * 3"), "the last expression's Java value");
            assertNull(cells.eval("int y = x;"), "a declaration has no value");
            assertNull(cells.eval("   "));

            KernelError incomplete = assertThrows(KernelError.class, () -> cells.eval("int z = (1 + 2"));
            assertEquals("CompilationException", incomplete.ename);
            assertTrue(incomplete.evalue.startsWith("incomplete code at the end of the cell"), incomplete.evalue);

            KernelError thrown = assertThrows(KernelError.class, () -> cells.eval("Integer.parseInt(\"x\")"));
            assertEquals(NumberFormatException.class.getName(), thrown.ename);

            assertNull(cells.eval("void f() { g(); }"), "declared, with a note, until g is");
            KernelError undefined = assertThrows(KernelError.class, () -> cells.eval("class C extends Missing {}"));
            assertEquals("CompilationException", undefined.ename);
            assertTrue(undefined.evalue.startsWith("cannot define this until"), undefined.evalue);

            interrupted.set(true);
            KernelError stopped = assertThrows(KernelError.class, () -> cells.eval("1 + 1"));
            assertEquals("Interrupted", stopped.ename);
            assertEquals("the cell was interrupted", stopped.evalue);
        }
    }

    @Test
    void loadLinesAreReplacedByTheFilesCode(@TempDir Path dir) throws Exception {
        Path setup = dir.resolve("setup.jsh");
        Files.writeString(setup, "int a = 1;\n");
        assertEquals("int b = 0;\nint a = 1;\nb + a", CellEvaluator.inlineLoads("int b = 0;\n%load " + setup + "\nb + a"));
        assertEquals(MecamKernel.inlineLoads("%load " + setup), CellEvaluator.inlineLoads("%load " + setup));
        KernelError e = assertThrows(KernelError.class, () -> CellEvaluator.inlineLoads("%load " + dir.resolve("none.jsh")));
        assertEquals("IOException", e.ename);
        assertTrue(e.evalue.startsWith("%load " + dir.resolve("none.jsh") + ": cannot read"), e.evalue);
    }
}
