package org.mecam.train;

import java.util.List;

/**
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau} in mode min with its defaults (relative
 * threshold 1e-4, no cooldown, minimum learning rate 0, eps 1e-8); DJL has none.
 */
public final class ReduceLrOnPlateau {

    private static final double THRESHOLD = 1e-4;
    private static final double EPS = 1e-8;

    private final List<AdamOptimizer.Group> groups;
    private final int patience;
    private final double factor;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    /**
     * @param groups the groups whose learning rates are reduced
     * @param patience epochs without improvement tolerated
     * @param factor multiplier of the learning rate
     */
    public ReduceLrOnPlateau(List<AdamOptimizer.Group> groups, int patience, double factor) {
        this.groups = groups;
        this.patience = patience;
        this.factor = factor;
    }

    /**
     * @param metric this epoch's validation loss
     * @return whether the learning rates were reduced
     */
    public boolean step(double metric) {
        if (metric < best * (1 - THRESHOLD)) {
            best = metric;
            bad = 0;
        } else {
            bad++;
        }
        if (bad <= patience) {
            return false;
        }
        bad = 0;
        boolean reduced = false;
        for (AdamOptimizer.Group g : groups) {
            double lr = g.learningRate() * factor;
            if (g.learningRate() - lr > EPS) {
                g.setLearningRate(lr);
                reduced = true;
            }
        }
        return reduced;
    }
}
