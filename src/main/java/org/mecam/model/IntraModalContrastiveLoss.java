package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The intra-modality contrastive filter of one modality (METHOD.md, "contrastive filter"):
 * z = normalize(W h), S = z z^T / tau, negative logits N = w S (1 - P) appended as extra
 * columns, and L = mean_i -log sum_j softmax([S, N]_i)_j [P, 0]_ij over rows that have a
 * positive. With {@code excludeSelf} each sample's own entries of both blocks leave numerator and
 * denominator. Computed as L_i = lse(kept logits) - lse(kept positive logits), so that it stays
 * finite in float32 for any temperature (the logit spread 2/tau exceeds exp's range below tau
 * ~0.02).
 *
 * <p>Inputs: h [B, d] followed by the arrays of a {@link ContrastTargets}; use {@link
 * #loss}. Outputs: the loss (scalar) and z [B, c].
 */
public final class IntraModalContrastiveLoss extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final double tau;
    private final Linear projection;

    private IntraModalContrastiveLoss(int dim, double tau) {
        super(VERSION);
        this.dim = dim;
        this.tau = tau;
        projection = addChildBlock("projection", Linear.builder().setUnits(dim).optBias(false).build());
    }

    /**
     * @param dim shared projection dimension
     * @param tau temperature
     */
    public static IntraModalContrastiveLoss create(int dim, double tau) {
        return new IntraModalContrastiveLoss(dim, tau);
    }

    /** @return the loss (scalar) and the normalised projection z [B, c] */
    public NDList loss(ParameterStore ps, NDArray h, ContrastTargets targets, boolean training) {
        NDList in = new NDList(h, targets.positiveBias(), targets.negativeScale(), targets.rowWeight());
        if (targets.selfBias() != null) {
            in.add(targets.selfBias());
        }
        return forward(ps, in, training);
    }

    /** @return the projected, normalised representation z [B, c] */
    public NDArray embed(ParameterStore ps, NDArray h, boolean training) {
        return Ops.l2Normalize(projection.forward(ps, new NDList(h), training).head());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray h = inputs.get(0); // (B, d)
        NDArray positiveBias = inputs.get(1); // (B, 2B)
        NDArray negativeScale = inputs.get(2); // (B, B)
        NDArray rowWeight = inputs.get(3); // (B)
        NDArray z = embed(ps, h, training); // (B, c)
        NDArray s = z.matMul(z.transpose()).mul(Ops.scalar(z, 1.0 / tau)); // (B, B)
        NDArray n = s.mul(negativeScale); // (B, B)
        NDArray logits = NDArrays.concat(new NDList(s, n), 1); // (B, 2B)
        if (inputs.size() > 4) {
            logits = logits.add(inputs.get(4)); // self removed from both blocks
        }
        NDArray denominator = Ops.logSumExp(logits, null); // (B)
        NDArray numerator = Ops.logSumExp(logits.add(positiveBias), null); // (B)
        NDArray perRow = denominator.sub(numerator); // (B); rows without a positive have weight 0
        return new NDList(perRow.mul(rowWeight).sum(), z);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(), new Shape(inputShapes[0].get(0), dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        projection.initialize(manager, dataType, inputShapes[0]);
    }
}
