package org.mecam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.mecam.config.Modality;
import org.mecam.experiment.protocol.RepresentationProbe;
import org.mecam.report.ExperimentCharts;
import org.mecam.report.FigureFiles;
import org.mecam.report.Pca;

/**
 * The figures drawn from a trained model of a grid's reference variant (a {@link
 * RepresentationProbe}): each modality's representation before the contrastive filter (h) and
 * after it (z), projected on two principal components and coloured by sentiment class, and the
 * audio / vision to text attention of one test sample.
 */
final class ProbeFigures {

    private ProbeFigures() {}

    static List<Path> write(RepresentationProbe probe, String what, Path figures, String base) throws IOException {
        List<Path> written = new ArrayList<>();
        written.addAll(projections(probe, what, figures, base));
        written.addAll(attention(probe, figures, base));
        return written;
    }

    private static List<Path> projections(RepresentationProbe probe, String what, Path figures, String base) throws IOException {
        List<Chart<?, ?>> panels = new ArrayList<>();
        for (Map.Entry<Modality, float[][]> e : probe.before().entrySet()) {
            panels.add(projection(e.getKey().label() + " h (before the filter), " + what, e.getValue(), probe.labels()));
        }
        for (Map.Entry<Modality, float[][]> e : probe.after().entrySet()) {
            panels.add(projection(e.getKey().label() + " z = normalize(W h) (after)", e.getValue(), probe.labels()));
        }
        return FigureFiles.save(panels, probe.before().size(), figures, base + "-representations-pca");
    }

    private static XYChart projection(String title, float[][] x, float[] labels) {
        double[][] pca = Pca.project2(x);
        double[][] points = java.util.Arrays.copyOf(pca, x.length);
        double[] explained = pca[x.length];
        return ExperimentCharts.projection(title, points, labels, new String[] {
            String.format(Locale.ROOT, "PC 1 (%.0f%% of variance)", 100 * explained[0]),
            String.format(Locale.ROOT, "PC 2 (%.0f%% of variance)", 100 * explained[1])});
    }

    private static List<Path> attention(RepresentationProbe probe, Path figures, String base) throws IOException {
        List<Chart<?, ?>> panels = new ArrayList<>();
        for (Map.Entry<Modality, float[][]> e : probe.attention().entrySet()) {
            String m = e.getKey().label();
            panels.add(ExperimentCharts.attention(m + " → text attention, " + probe.sampleId(), m + " frame", e.getValue()));
        }
        return panels.isEmpty() ? List.of() : FigureFiles.save(panels, panels.size(), figures, base + "-attention");
    }
}
