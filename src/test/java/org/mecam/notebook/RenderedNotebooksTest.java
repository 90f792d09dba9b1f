package org.mecam.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The notebooks rendered as HTML into {@code docs/notebooks/} (scripts/render-notebooks.sh) are
 * current: each records the SHA-256 of its inputs (its notebook, notebooks/setup.jsh, every file
 * under docs/results, the kit's version), which must match them now; they show their tables and
 * figures, link only files that exist, hold no errors or absolute paths, and stay small.
 * NotebooksTest renders them again and compares bytes.
 */
class RenderedNotebooksTest {

    static final Path DOCS = Path.of("docs", "notebooks");
    static final Path SHIPPED = Path.of("docs", "results");
    static final long MAX_BYTES = 2L << 20;
    static final String RERENDER = "; run scripts/render-notebooks.sh and commit docs/notebooks";

    /** @return the notebooks whose metadata says {@code "mecam": {"render": true}} */
    static List<Path> rendered() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : NotebookFilesTest.notebooks()) {
            JsonObject meta = JsonParser.parseString(Files.readString(p)).getAsJsonObject().getAsJsonObject("metadata");
            JsonObject mecam = meta.getAsJsonObject("mecam");
            if (mecam.has("render") && mecam.get("render").getAsBoolean()) {
                out.add(p);
            }
        }
        return out;
    }

    static Path html(Path notebook) {
        return DOCS.resolve(notebook.getFileName().toString().replaceAll("\\.ipynb$", ".html"));
    }

    @Test
    void theNotebooksShowingShippedResultsAreRendered() throws IOException {
        assertEquals(List.of("03-ablations.ipynb", "04-negative-information.ipynb", "05-paper-figures.ipynb",
                "06-negative-fraction.ipynb"), rendered().stream().map(p -> p.getFileName().toString()).toList());
        List<String> expected = new ArrayList<>(rendered().stream().map(p -> html(p).getFileName().toString()).toList());
        try (Stream<Path> s = Files.list(DOCS)) {
            assertEquals(expected, s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".html")).sorted().toList(),
                    "docs/notebooks holds the rendered notebooks and nothing else rendered");
        }
        String index = Files.readString(DOCS.resolve("README.md"));
        for (String name : expected) {
            assertTrue(index.contains("](" + name + ")"), "docs/notebooks/README.md links " + name);
        }
    }

    @Test
    void eachRecordsTheDigestOfItsInputsAsTheyAreNow() throws Exception {
        for (Path nb : rendered()) {
            Path html = html(nb);
            assertTrue(Files.isRegularFile(html), "no " + html + RERENDER);
            Matcher m = Pattern.compile("<meta name=\"mecam-inputs\" content=\"sha256:([0-9a-f]{64})\">")
                    .matcher(Files.readString(html));
            assertTrue(m.find(), html + " records no input digest" + RERENDER);
            assertEquals(inputsDigest(nb), m.group(1), html + " is not current: " + nb
                    + ", notebooks/setup.jsh, docs/results or the kit's version changed since it was rendered" + RERENDER);
        }
    }

    @Test
    void theyShowTablesAndFiguresWithoutErrorsAbsolutePathsOrBrokenLinks() throws IOException {
        String root = Path.of("").toAbsolutePath().toString();
        for (Path nb : rendered()) {
            Path html = html(nb);
            String s = Files.readString(html);
            long size = Files.size(html);
            assertTrue(size < MAX_BYTES, html + ": " + size + " bytes");
            assertFalse(s.contains("application/vnd.jupyter.stderr\"") || s.contains("application/vnd.jupyter.error"),
                    html + " shows an error or standard-error output");
            assertFalse(s.contains(root) || s.contains("/tmp/mecam-render-"), html + " holds an absolute path");
            assertTrue(s.contains("<table"), html + " shows no table");
            int images = 0;
            Matcher img = Pattern.compile("<img\\b[^>]*\\bsrc=\"([^\"]*)\"").matcher(s);
            while (img.find()) {
                images++;
                String src = img.group(1);
                if (!src.startsWith("data:image/")) {
                    assertFalse(src.contains(":") || src.startsWith("/"), html + " links an image outside the checkout: " + src);
                    Path file = DOCS.resolve(URLDecoder.decode(src, StandardCharsets.UTF_8)).normalize();
                    assertTrue(file.startsWith(SHIPPED) && Files.isRegularFile(file), html + " links a missing image: " + src);
                }
            }
            int min = JsonParser.parseString(Files.readString(nb)).getAsJsonObject().getAsJsonObject("metadata")
                    .getAsJsonObject("mecam").get("min_images").getAsInt();
            assertTrue(images >= min, html + ": " + images + " images, the notebook expects at least " + min);
        }
        // notebook 05 links every shipped figure instead of embedding it
        String paper = Files.readString(DOCS.resolve("05-paper-figures.html"));
        assertFalse(paper.contains("src=\"data:image/"), "05 embeds images");
        try (Stream<Path> s = Files.list(SHIPPED.resolve("figures"))) {
            for (Path png : s.filter(p -> p.toString().endsWith(".png")).toList()) {
                assertTrue(paper.contains("src=\"../results/figures/" + png.getFileName() + "\""), "05 does not show " + png);
            }
        }
    }

    /**
     * The digest scripts/render-notebooks.py records (inputs_digest there): SHA-256 of the lines
     * {@code <sha256>  <path>} of the notebook, notebooks/setup.jsh and every file under
     * docs/results but dot files (paths from the repository root, sorted), then {@code kit <version>}.
     */
    static String inputsDigest(Path notebook) throws IOException, NoSuchAlgorithmException {
        List<String> paths = new ArrayList<>(List.of("notebooks/" + notebook.getFileName(), "notebooks/setup.jsh"));
        try (Stream<Path> walk = Files.walk(SHIPPED)) {
            walk.filter(Files::isRegularFile).filter(p -> {
                for (Path part : SHIPPED.relativize(p)) {
                    if (part.toString().startsWith(".")) {
                        return false;
                    }
                }
                return true;
            }).forEach(p -> paths.add("docs/results/" + SHIPPED.relativize(p).toString().replace('\\', '/')));
        }
        paths.sort(null);
        StringBuilder manifest = new StringBuilder();
        for (String p : paths) {
            manifest.append(sha256(Path.of(p))).append("  ").append(p).append('\n');
        }
        Matcher v = Pattern.compile("<artifactId>mecam</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(v.find(), "no version in pom.xml");
        manifest.append("kit ").append(v.group(1).trim()).append('\n');
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(manifest.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
