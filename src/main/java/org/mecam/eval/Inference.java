package org.mecam.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.engine.Interruption;
import org.mecam.engine.NoGrad;
import org.mecam.model.MecamModel;

/** Predictions over a whole split, in order, without gradient and with dropout off. */
public final class Inference {

    private Inference() {}

    /**
     * @param model the model
     * @param builder batches of the split to predict
     * @param manager parent of the batches' managers
     * @param batchSize samples per batch
     * @return one prediction per sample of the split
     */
    public static float[] predict(MecamModel model, BatchBuilder builder, NDManager manager, int batchSize) {
        float[] out = new float[builder.split().size()];
        ParameterStore ps = new ParameterStore(manager, false);
        try (NoGrad ignored = NoGrad.enter()) {
            for (int[] idx : BatchBuilder.plan(out.length, batchSize, null)) {
                Interruption.check();
                try (Batch batch = builder.build(manager, idx)) {
                    float[] p = model.forward(ps, batch, false).prediction().toFloatArray();
                    for (int k = 0; k < idx.length; k++) {
                        out[idx[k]] = p[k];
                    }
                }
            }
        }
        return out;
    }

    /** @return the mean absolute error of predictions against labels (MMIM's validation loss) */
    public static double mae(float[] predictions, float[] labels) {
        double s = 0;
        for (int i = 0; i < labels.length; i++) {
            s += Math.abs(predictions[i] - labels[i]);
        }
        return s / labels.length;
    }
}
