package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The head (METHOD.md, "Head, loss and training"): dropout, Linear-tanh, Linear-tanh, Linear to one score.
 *
 * <p>Input: the fused vector [B, D]. Outputs: the prediction [B] and the last hidden layer
 * [B, hidden].
 */
public final class RegressionHead extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int hidden;
    private final MaskedDropout dropout;
    private final Linear first;
    private final Linear second;
    private final Linear last;

    private RegressionHead(int hidden, double dropoutRate) {
        super(VERSION);
        this.hidden = hidden;
        dropout = addChildBlock("dropout", new MaskedDropout((float) dropoutRate));
        first = addChildBlock("first", Linear.builder().setUnits(hidden).build());
        second = addChildBlock("second", Linear.builder().setUnits(hidden).build());
        last = addChildBlock("last", Linear.builder().setUnits(1).build());
    }

    /**
     * @param hidden width of the two hidden layers (d_prjh)
     * @param dropout dropout on the input
     */
    public static RegressionHead create(int hidden, double dropout) {
        return new RegressionHead(hidden, dropout);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = dropout.forward(ps, inputs, training).head(); // (B, D)
        NDArray h1 = first.forward(ps, new NDList(x), training).head().tanh(); // (B, hidden)
        NDArray h2 = second.forward(ps, new NDList(h1), training).head().tanh(); // (B, hidden)
        NDArray y = last.forward(ps, new NDList(h2), training).head().squeeze(1); // (B)
        return new NDList(y, h2);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        return new Shape[] {new Shape(b), new Shape(b, hidden)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape h = new Shape(x.get(0), hidden);
        dropout.initialize(manager, dataType, x);
        first.initialize(manager, dataType, x);
        second.initialize(manager, dataType, h);
        last.initialize(manager, dataType, h);
    }
}
