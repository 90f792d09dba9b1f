package org.mecam.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.mecam.engine.NativeRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fonts for drawing charts on machines that have none (GPU and cluster nodes often lack every
 * font package). The JDK finds fonts through fontconfig and, headless, cannot draw any text
 * when fontconfig lists none: every chart fails with {@code InternalError}. The jar carries DejaVu
 * Sans (Bitstream Vera licence, {@code fonts/DejaVu-LICENSE.txt} next to it); when no font file
 * lies in the usual folders, it is copied to {@code <cache>/mecam/fonts} and fontconfig is pointed
 * at a configuration that adds that folder to the system's own ({@code FONTCONFIG_FILE}), before
 * the JDK's font manager starts. Machines with fonts, and users who set {@code FONTCONFIG_FILE} or
 * {@code FONTCONFIG_PATH}, are left as they are.
 */
public final class HeadlessFonts {

    private static final Logger LOG = LoggerFactory.getLogger(HeadlessFonts.class);
    private static final String FONT = "DejaVuSans.ttf";
    private static final List<String> SUFFIXES = List.of(".ttf", ".otf", ".ttc", ".pfb", ".pcf", ".pcf.gz", ".otb");
    private static boolean done;

    private HeadlessFonts() {}

    /** Makes sure fontconfig lists at least the bundled font; call before the first chart is drawn. */
    public static synchronized void ensure() {
        if (done) {
            return;
        }
        done = true;
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                || System.getenv("FONTCONFIG_FILE") != null || System.getenv("FONTCONFIG_PATH") != null
                || systemHasFonts()) {
            return;
        }
        try {
            Path conf = install(cacheDir());
            NativeRuntime.setenvIfAbsent("FONTCONFIG_FILE", conf.toString());
            LOG.info("no fonts installed on this machine: charts use the bundled DejaVu Sans ({})", conf.getParent());
        } catch (IOException | RuntimeException e) {
            LOG.warn("no fonts installed on this machine, and the bundled font could not be set up ({}): charts"
                    + " will not be drawn; install a font package (e.g. fonts-dejavu-core)", e.toString());
        }
    }

    /** @return whether a font file lies in one of fontconfig's usual folders */
    static boolean systemHasFonts() {
        String home = System.getProperty("user.home", "/nonexistent");
        String xdgData = System.getenv("XDG_DATA_HOME");
        List<Path> dirs = List.of(Paths.get("/usr/share/fonts"), Paths.get("/usr/local/share/fonts"),
                Paths.get(home, ".fonts"), xdgData != null && !xdgData.isBlank() ? Paths.get(xdgData, "fonts")
                        : Paths.get(home, ".local", "share", "fonts"));
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir, 6)) {
                if (files.anyMatch(HeadlessFonts::isFontFile)) {
                    return true;
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable: look on
            }
        }
        return false;
    }

    private static boolean isFontFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return SUFFIXES.stream().anyMatch(name::endsWith) && Files.isRegularFile(p);
    }

    /** {@code $XDG_CACHE_HOME/mecam/fonts}, else {@code ~/.cache/mecam/fonts}, else under the temporary folder. */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("mecam").resolve("fonts");
        if (Files.isDirectory(dir) ? Files.isWritable(dir) : writableAncestor(dir)) {
            return dir;
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "mecam-fonts-" + System.getProperty("user.name", "user"));
    }

    private static boolean writableAncestor(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) && Files.isWritable(p);
            }
        }
        return false;
    }

    /**
     * Copies the bundled font into {@code dir} and writes {@code dir/fonts.conf} (each file
     * written whole and renamed into place, so processes starting together do not see half a file).
     *
     * @return the fontconfig configuration file
     */
    static Path install(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path font = dir.resolve(FONT);
        byte[] bytes;
        try (InputStream in = HeadlessFonts.class.getResourceAsStream("fonts/" + FONT)) {
            if (in == null) {
                throw new IOException("the jar lacks org/mecam/report/fonts/" + FONT);
            }
            bytes = in.readAllBytes();
        }
        if (!Files.isRegularFile(font) || Files.size(font) != bytes.length) {
            Path tmp = Files.createTempFile(dir, ".font", ".partial");
            Files.write(tmp, bytes);
            Files.move(tmp, font, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        String xmlDir = escape(dir.toAbsolutePath().toString());
        String conf = "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n"
                + "<!-- written by the MECAM kit: the system's configuration plus the kit's bundled font -->\n"
                + "<fontconfig>\n"
                + "  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
                + "  <dir>" + xmlDir + "</dir>\n"
                + "  <cachedir>" + xmlDir + "/cache</cachedir>\n"
                + "</fontconfig>\n";
        Path file = dir.resolve("fonts.conf");
        if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(conf)) {
            Path tmp = Files.createTempFile(dir, ".fonts", ".partial");
            Files.writeString(tmp, conf, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
