package org.mecam.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed notebooks: the seven of the kit, for the kit's kernel, without outputs, set up the same way. */
class NotebookFilesTest {

    static List<Path> notebooks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("notebooks"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    @Test
    void theSharedSetupImportsTheHelpers() throws IOException {
        String setup = Files.readString(Path.of("notebooks", "setup.jsh"));
        assertTrue(setup.contains("import static org.mecam.notebook.Notebook.*;") && setup.contains("import org.mecam.experiment.*;"));
        String inlined = org.mecam.kernel.MecamKernel.inlineLoads("int x = 1;\n%load notebooks/setup.jsh\nknobs()");
        assertTrue(inlined.startsWith("int x = 1;\n// What every notebook") && inlined.endsWith("import org.mecam.report.*;\n// Under IJava: show charts as PNG and tables as HTML, as the kit's kernel does (no-op"
                        + " elsewhere).\norg.mecam.notebook.IJavaDisplay.registerIfPresent();\nknobs()"),
                inlined);
    }

    @Test
    void theNotebooksAreCommittedWithoutOutputs() throws IOException {
        List<String> names = notebooks().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("00-quickstart.ipynb", "01-data.ipynb", "02-train-mecam.ipynb", "03-ablations.ipynb",
                "04-negative-information.ipynb", "05-paper-figures.ipynb", "06-negative-fraction.ipynb",
                "07-inside-the-model.ipynb"), names);
        for (Path p : notebooks()) {
            JsonObject nb = JsonParser.parseString(Files.readString(p)).getAsJsonObject();
            JsonObject meta = nb.getAsJsonObject("metadata");
            assertEquals("mecam-java", meta.getAsJsonObject("kernelspec").get("name").getAsString(), p.toString());
            assertTrue(meta.getAsJsonObject("mecam").get("min_images").getAsInt() >= 1, p + ": expected images");
            boolean first = true;
            for (JsonElement e : nb.getAsJsonArray("cells")) {
                JsonObject cell = e.getAsJsonObject();
                if (!cell.get("cell_type").getAsString().equals("code")) {
                    continue;
                }
                assertEquals(0, cell.getAsJsonArray("outputs").size(), p + ": committed with outputs");
                assertTrue(cell.get("execution_count").isJsonNull(), p + ": committed with execution counts");
                String source = source(cell);
                if (first) {
                    assertTrue(source.contains("%classpath ../target/classes") && source.contains("%jars ../target/lib/*.jar")
                            && source.contains("%load setup.jsh") && source.contains("knobs()") && !source.contains("import "),
                            p + ": the first code cell loads the shared setup instead of copying it");
                    first = false;
                }
                long lines = source.lines().count();
                assertTrue(lines <= 12, p + ": a cell of " + lines + " lines; keep logic in the library:\n" + source);
            }
        }
    }

    private static String source(JsonObject cell) {
        JsonElement s = cell.get("source");
        if (s.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            s.getAsJsonArray().forEach(x -> sb.append(x.getAsString()));
            return sb.toString();
        }
        return s.getAsString();
    }
}
