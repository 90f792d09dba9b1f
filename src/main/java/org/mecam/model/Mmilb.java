package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * MMILB, the mutual-information lower bound of one modality pair (x, y) inherited from MMIM
 * (METHOD.md, "Mutual-information terms"): mu and log-variance MLPs of x give
 * lld = mean_batch sum_dim -(mu - y)^2 / (2 exp(logvar)); a Linear+Tanh projection of y to
 * dim/4 feeds the entropy term. As in MMIM, where this projection belongs to the MMILB optimizer
 * but only receives gradient in stage 1, when that optimizer does not step, the projection is
 * never trained: it is a fixed random projection.
 *
 * <p>Inputs: x [B, dx], y [B, dy]. Output: lld (scalar).
 */
public final class Mmilb extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int ySize;
    private final SequentialBlock mu;
    private final SequentialBlock logvar;
    private final SequentialBlock entropyProjection;

    private Mmilb(int ySize) {
        super(VERSION);
        this.ySize = ySize;
        mu = addChildBlock("mu", mlp(ySize));
        logvar = addChildBlock("logvar", mlp(ySize));
        entropyProjection = addChildBlock("entropyProjection", new SequentialBlock()
                .add(Linear.builder().setUnits(projectedSize(ySize)).build())
                .add(Activation::tanh));
    }

    /** @param ySize width of y */
    public static Mmilb create(int ySize) {
        return new Mmilb(ySize);
    }

    /** @return the width of the entropy projection, ySize / 4 (at least 1) */
    public static int projectedSize(int ySize) {
        return Math.max(1, ySize / 4);
    }

    public int projectedSize() {
        return projectedSize(ySize);
    }

    private static SequentialBlock mlp(int size) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(size).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(size).build());
    }

    /** @return the parameters of the mu and log-variance estimators (stepped in stage 0) */
    public java.util.List<ai.djl.nn.Parameter> estimatorParameters() {
        java.util.List<ai.djl.nn.Parameter> out = new java.util.ArrayList<>();
        mu.getParameters().forEach(p -> out.add(p.getValue()));
        logvar.getParameters().forEach(p -> out.add(p.getValue()));
        return out;
    }

    /** @return the entropy projection of y [B, ySize / 4] */
    public NDArray project(ParameterStore ps, NDArray y, boolean training) {
        return entropyProjection.forward(ps, new NDList(y), training).head();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0); // (B, dx)
        NDArray y = inputs.get(1); // (B, dy)
        NDArray m = mu.forward(ps, new NDList(x), training).head(); // (B, dy)
        NDArray lv = logvar.forward(ps, new NDList(x), training).head(); // (B, dy)
        NDArray sq = m.sub(y).square().mul(lv.neg().exp()); // (B, dy)
        return new NDList(sq.sum(new int[] {1}).mean().mul(Ops.scalar(sq, -0.5)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        mu.initialize(manager, dataType, inputShapes[0]);
        logvar.initialize(manager, dataType, inputShapes[0]);
        entropyProjection.initialize(manager, dataType, inputShapes[1]);
    }
}
