package org.mecam.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes XChart charts, alone or as a grid of panels, as PNG and SVG, with the data they plot as
 * CSV beside them (each file written whole and renamed into place).
 */
public final class FigureFiles {

    static {
        System.setProperty("java.awt.headless", "true");
        HeadlessFonts.ensure();
    }

    private FigureFiles() {}

    /**
     * Writes {@code base.png} and {@code base.svg} of one chart, and {@code base.csv} with the data
     * it plots ({@link FigureData}).
     */
    public static List<Path> save(Chart<?, ?> chart, Path dir, String base) throws IOException {
        return save(List.of(chart), 1, dir, base);
    }

    /** Writes {@code base.png} and {@code base.svg} of one chart, and {@code data} as {@code base.csv}. */
    public static List<Path> save(Chart<?, ?> chart, Path dir, String base, TextTable data) throws IOException {
        return save(List.of(chart), 1, dir, base, data);
    }

    /**
     * Writes {@code base.png} and {@code base.svg} of panels laid out row by row, and
     * {@code base.csv} with the data they plot ({@link FigureData}).
     *
     * @return the three files
     */
    public static List<Path> save(List<? extends Chart<?, ?>> panels, int columns, Path dir, String base)
            throws IOException {
        return save(panels, columns, dir, base, FigureData.of(panels));
    }

    /**
     * Writes {@code base.png} and {@code base.svg} of panels laid out row by row, and the figure's
     * data as {@code base.csv} (each file written whole first, then all three renamed into place).
     *
     * @param data what the figure plots, in a form a user can re-plot from (its CSV is written)
     * @return the three files
     */
    public static List<Path> save(List<? extends Chart<?, ?>> panels, int columns, Path dir, String base,
            TextTable data) throws IOException {
        Files.createDirectories(dir);
        BufferedImage image = image(panels, columns);
        String svgText = svg(panels, columns);
        String csvText = data.csv();
        Path png = dir.resolve(base + ".png");
        Path svg = dir.resolve(base + ".svg");
        Path csv = dir.resolve(base + ".csv");
        Path tmpPng = partial(dir, base + ".png");
        Path tmpSvg = partial(dir, base + ".svg");
        Path tmpCsv = partial(dir, base + ".csv");
        try {
            if (!ImageIO.write(image, "png", tmpPng.toFile())) {
                throw new IOException("no PNG writer");
            }
            Files.writeString(tmpSvg, svgText, java.nio.charset.StandardCharsets.UTF_8);
            Files.writeString(tmpCsv, csvText, java.nio.charset.StandardCharsets.UTF_8);
            Files.move(tmpPng, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpSvg, svg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpCsv, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // a full disk, say: no half-written figure is left behind
            Files.deleteIfExists(tmpPng);
            Files.deleteIfExists(tmpSvg);
            Files.deleteIfExists(tmpCsv);
            if (e instanceof IOException) {
                throw new IOException("cannot write " + dir.resolve(base) + ".png/.svg/.csv: " + e.getMessage(), e);
            }
            throw e;
        }
        return List.of(png, svg, csv);
    }

    private static final java.util.concurrent.atomic.AtomicLong PARTS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @return a staging name for {@code name} in {@code dir}, unique to this process and call, so
     *     that two processes (or threads) writing the same report never share one; the file is moved
     *     into place atomically, so a reader sees the old file or the new one, never half of one
     */
    static Path partial(Path dir, String name) {
        return dir.resolve("." + name + "." + ProcessHandle.current().pid() + "-" + PARTS.incrementAndGet() + ".partial");
    }

    /**
     * @param panels charts of equal size, laid out row by row
     * @return the panels as one image (what the PNG files hold; notebooks display it)
     */
    public static BufferedImage image(List<? extends Chart<?, ?>> panels, int columns) {
        if (panels.isEmpty() || columns < 1) {
            throw new IllegalArgumentException("need at least one panel and one column, got " + panels.size() + " and "
                    + columns);
        }
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        int width = w * Math.min(columns, panels.size());
        int height = h * ((panels.size() + columns - 1) / columns);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        paint(g, panels, columns, w, h, width, height);
        g.dispose();
        return image;
    }

    /** @return the panels as one SVG document */
    public static String svg(List<? extends Chart<?, ?>> panels, int columns) {
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        int width = w * Math.min(columns, panels.size());
        int height = h * ((panels.size() + columns - 1) / columns);
        VectorGraphics2D vg = new VectorGraphics2D();
        paint(vg, panels, columns, w, h, width, height);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height)).writeTo(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void paint(Graphics2D g, List<? extends Chart<?, ?>> panels, int columns, int w, int h, int width,
            int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < panels.size(); i++) {
            int x = (i % columns) * w;
            int y = (i / columns) * h;
            g.translate(x, y);
            panels.get(i).paint(g, w, h);
            g.translate(-x, -y);
        }
    }
}
