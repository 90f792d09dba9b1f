package org.mecam.experiment.method;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.util.List;
import java.util.Map;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.Split;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.experiment.protocol.Predictor;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * Classical regressors from Tribuo on mean-pooled features (the mean over valid frames of each
 * modality in use, concatenated, standardised with the training split's statistics): a linear
 * model trained by SGD (AdaGrad, squared loss, 20 epochs) and a random forest of 50 CART trees
 * (depth 8, half the features per split).
 */
public final class TribuoBaseline implements Predictor {

    static {
        java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
    }

    private final Model<Regressor> model;
    private final RunConfig config;
    private final String[] names;
    private final double[] mean;
    private final double[] std;

    private TribuoBaseline(Model<Regressor> model, RunConfig config, String[] names, double[] mean, double[] std) {
        this.model = model;
        this.config = config;
        this.names = names;
        this.mean = mean;
        this.std = std;
    }

    /** Fits {@code trainer} on the training split's mean-pooled, standardised features. */
    public static TribuoBaseline fit(RunConfig config, MultimodalDataset data, Trainer<Regressor> trainer) {
        double[][] x = pooled(config, data.train(), null);
        int dim = x[0].length;
        double[] mean = new double[dim];
        double[] std = new double[dim];
        for (double[] row : x) {
            for (int d = 0; d < dim; d++) {
                mean[d] += row[d] / x.length;
            }
        }
        for (double[] row : x) {
            for (int d = 0; d < dim; d++) {
                std[d] += (row[d] - mean[d]) * (row[d] - mean[d]) / x.length;
            }
        }
        for (int d = 0; d < dim; d++) {
            std[d] = Math.sqrt(std[d]) + 1e-8;
        }
        String[] names = new String[dim];
        for (int d = 0; d < dim; d++) {
            names[d] = String.format("f%04d", d);
        }
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> train = new MutableDataset<>(
                new SimpleDataSourceProvenance("mean-pooled " + data.info().name(), factory), factory);
        for (int i = 0; i < x.length; i++) {
            train.add(example(new Regressor("sentiment", data.train().labels[i]), names, standardise(x[i], mean, std)));
        }
        Map<String, Provenance> none = Map.of();
        return new TribuoBaseline(trainer.train(train, none), config, names, mean, std);
    }

    @Override
    public float[] predict(Split split, BatchBuilder.FrameTransform transform) {
        double[][] x = pooled(config, split, transform);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            Example<Regressor> e = example(RegressionFactory.UNKNOWN_REGRESSOR, names, standardise(x[i], mean, std));
            Prediction<Regressor> p = model.predict(e);
            out[i] = (float) p.getOutput().getValues()[0];
        }
        return out;
    }

    private static Example<Regressor> example(Regressor y, String[] names, double[] values) {
        return new ArrayExample<>(y, names, values);
    }

    private static double[] standardise(double[] x, double[] mean, double[] std) {
        double[] out = new double[x.length];
        for (int d = 0; d < x.length; d++) {
            out[d] = (x[d] - mean[d]) / std[d];
        }
        return out;
    }

    /** @return per sample, the mean over valid frames of each modality in use, concatenated */
    static double[][] pooled(RunConfig config, Split split, BatchBuilder.FrameTransform transform) {
        double[][] out = new double[split.size()][];
        for (int i = 0; i < split.size(); i++) {
            BatchBuilder.SampleView v = BatchBuilder.view(split, i, transform);
            List<float[][]> parts = new java.util.ArrayList<>();
            List<Integer> lengths = new java.util.ArrayList<>();
            if (config.uses(org.mecam.config.Modality.TEXT)) {
                parts.add(v.textFeatures);
                lengths.add(v.textLength);
            }
            if (config.uses(org.mecam.config.Modality.AUDIO)) {
                parts.add(v.audio);
                lengths.add(v.audioLength);
            }
            if (config.uses(org.mecam.config.Modality.VISION)) {
                parts.add(v.vision);
                lengths.add(v.visionLength);
            }
            int dim = parts.stream().mapToInt(p -> p[0].length).sum();
            double[] row = new double[dim];
            int at = 0;
            for (int k = 0; k < parts.size(); k++) {
                float[][] frames = parts.get(k);
                int len = lengths.get(k);
                for (int t = 0; t < len; t++) {
                    for (int d = 0; d < frames[t].length; d++) {
                        row[at + d] += frames[t][d] / (double) len;
                    }
                }
                at += frames[0].length;
            }
            out[i] = row;
        }
        return out;
    }
}
