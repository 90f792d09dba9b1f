package org.mecam.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Talking-heads cross-attention from one non-text modality to the text (METHOD.md, "Talking-heads cross-attention fusion"), built as
 * the published code intended: registered and trained, over frame sequences, with text padding
 * masked. Queries come from the modality's frames, keys and values from the text token states;
 * learned h x h head mixings (Shazeer et al. 2020) act on the logits before the softmax and on
 * the weights after it. Each frame's output is projected back to the modality width and the
 * masked mean over valid frames is the fused vector. With {@code bidirectional}, text also
 * attends to the modality through the same similarity matrix (softmax over frames).
 *
 * <p>Inputs: frames X [B, Lm, dm], frame mask [B, Lm], text states T [B, Lt, dt], text mask
 * [B, Lt]. Outputs: fused [B, out]; with {@code bidirectional} also a text residual [B, dt].
 */
public final class TalkingHeadsCrossAttention extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int heads;
    private final int headDim;
    private final int out;
    private final int textDim;
    private final boolean talkingHeads;
    private final boolean bidirectional;
    private final LayerNorm modalityNorm;
    private final LayerNorm textNorm;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final MaskedDropout dropout;
    private final Parameter preMix;
    private final Parameter postMix;
    private final Linear modalityValue;
    private final Linear textOutput;
    private String kernel = AttentionKernel.DIRECT;

    /**
     * What one call computes; the attention distributions (the softmax over text tokens, before
     * the post-softmax head mixing, so that each row sums to 1) only when asked for.
     */
    public record Result(NDArray fused, NDArray textResidual, NDArray weights) {}

    private TalkingHeadsCrossAttention(Builder b) {
        super(VERSION);
        heads = b.heads;
        headDim = b.headDim;
        out = b.out;
        textDim = b.textDim;
        talkingHeads = b.talkingHeads;
        bidirectional = b.bidirectional;
        long inner = (long) heads * headDim;
        modalityNorm = addChildBlock("modalityNorm", LayerNorm.builder().axis(2).build());
        textNorm = addChildBlock("textNorm", LayerNorm.builder().axis(2).build());
        query = addChildBlock("query", Linear.builder().setUnits(inner).build());
        key = addChildBlock("key", Linear.builder().setUnits(inner).build());
        value = addChildBlock("value", Linear.builder().setUnits(inner).build());
        output = addChildBlock("output", Linear.builder().setUnits(out).build());
        dropout = addChildBlock("dropout", new MaskedDropout(b.dropout));
        preMix = talkingHeads ? addParameter(mixing("preMix")) : null;
        postMix = talkingHeads ? addParameter(mixing("postMix")) : null;
        modalityValue = bidirectional ? addChildBlock("modalityValue", Linear.builder().setUnits(inner).build()) : null;
        textOutput = bidirectional ? addChildBlock("textOutput", Linear.builder().setUnits(textDim).build()) : null;
    }

    private Parameter mixing(String name) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(heads, heads)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Computes this attention with {@code mode} (an {@link AttentionKernel} mode). */
    void kernel(String mode) {
        kernel = AttentionKernel.check(mode);
    }

    /**
     * @param keepWeights also return the attention distributions [B, h, Lm, Lt] (softmax, before the post-mix)
     * @return the fused vector, the text residual (bidirectional only) and optionally the weights
     */
    public Result attend(ParameterStore ps, NDArray frames, NDArray frameMask, NDArray text, NDArray textMask,
            boolean training, boolean keepWeights) {
        if (AttentionKernel.FACTORED.equals(kernel)) {
            return attendFactored(ps, frames, frameMask, text, textMask, training, keepWeights);
        }
        NDManager m = frames.getManager();
        Shape fs = frames.getShape();
        long b = fs.get(0);
        long lm = fs.get(1);
        long lt = text.getShape().get(1);
        NDArray x = modalityNorm.forward(ps, new NDList(frames), training).head(); // (B, Lm, dm)
        NDArray t = textNorm.forward(ps, new NDList(text), training).head(); // (B, Lt, dt)
        NDArray q = heads(query.forward(ps, new NDList(x), training).head()); // (B, h, Lm, e)
        NDArray k = heads(key.forward(ps, new NDList(t), training).head()); // (B, h, Lt, e)
        NDArray v = heads(value.forward(ps, new NDList(t), training).head()); // (B, h, Lt, e)
        double scale = 1.0 / Math.sqrt(headDim);
        NDArray logits;
        if (talkingHeads) {
            logits = q.matMul(k.transpose(0, 1, 3, 2)); // (B, h, Lm, Lt)
            logits = mix(m, logits, ps.getValue(preMix, frames.getDevice(), training), scale);
        } else {
            logits = q.mul(Ops.scalar(q, scale)).matMul(k.transpose(0, 1, 3, 2)); // (B, h, Lm, Lt)
        }
        NDArray probabilities = logits.add(TransformerLayer.maskBias(textMask)).softmax(-1); // (B, h, Lm, Lt)
        NDArray weights = postMix(ps, m, probabilities, frames, training);
        NDArray dropped = dropout.forward(ps, new NDList(weights), training).head();
        NDArray context = dropped.matMul(v).transpose(0, 2, 1, 3).reshape(b, lm, (long) heads * headDim); // (B, Lm, h*e)
        NDArray perFrame = output.forward(ps, new NDList(context), training).head(); // (B, Lm, out)
        NDArray fused = Ops.maskedMean(perFrame, frameMask); // (B, out)
        NDArray residual = null;
        if (bidirectional) {
            NDArray frameBias = TransformerLayer.maskBias(frameMask).reshape(b, 1, lm, 1); // (B, 1, Lm, 1)
            NDArray columns = postMix(ps, m, logits.add(frameBias).softmax(2), frames, training); // (B, h, Lm, Lt)
            columns = dropout.forward(ps, new NDList(columns), training).head();
            NDArray vm = heads(modalityValue.forward(ps, new NDList(x), training).head()); // (B, h, Lm, e)
            NDArray textContext = columns.transpose(0, 1, 3, 2).matMul(vm) // (B, h, Lt, e)
                    .transpose(0, 2, 1, 3).reshape(b, lt, (long) heads * headDim); // (B, Lt, h*e)
            NDArray perToken = textOutput.forward(ps, new NDList(textContext), training).head(); // (B, Lt, dt)
            residual = Ops.maskedMean(perToken, textMask); // (B, dt)
        }
        return new Result(fused, residual, keepWeights ? probabilities : null);
    }

    /**
     * {@link #attend} as {@link AttentionKernel#FACTORED} computes it: the logits as
     * [x, 1] G with G = s P^T [Wq; bq] k^T per sample, the fused vector as r (v Wo) + bo with r the
     * masked mean over frames of the dropped weights (AttentionKernel). The logits come out of one
     * broadcast product laid out [B, h, Lm, Lt], as {@code direct} lays them out, so dropout draws
     * the same masks for the weights (and the softmax runs over contiguous rows: computing them as
     * [B, Lm, h*Lt] and transposing took x1.04 of the unaligned training step here).
     */
    private Result attendFactored(ParameterStore ps, NDArray frames, NDArray frameMask, NDArray text, NDArray textMask,
            boolean training, boolean keepWeights) {
        NDManager m = frames.getManager();
        Device device = frames.getDevice();
        Shape fs = frames.getShape();
        long b = fs.get(0);
        long lm = fs.get(1);
        long dm = fs.get(2);
        long lt = text.getShape().get(1);
        long h = heads;
        long e = headDim;
        NDArray x = modalityNorm.forward(ps, new NDList(frames), training).head(); // (B, Lm, dm)
        NDArray t = textNorm.forward(ps, new NDList(text), training).head(); // (B, Lt, dt)
        NDArray x1 = x.concat(m.ones(new Shape(b, lm, 1), x.getDataType()), 2); // (B, Lm, dm+1)
        NDArray k = key.forward(ps, new NDList(t), training).head() // (B, Lt, h*e)
                .reshape(b * lt, h, e).transpose(1, 2, 0); // (h, e, B*Lt)
        NDArray wq = withBias(m, ps, query, device, training) // (h*e, dm+1)
                .reshape(h, e, dm + 1).transpose(0, 2, 1); // (h, dm+1, e)
        NDArray g = wq.matMul(k).reshape(h, (dm + 1) * b * lt); // (h, (dm+1)*B*Lt)
        double scale = 1.0 / Math.sqrt(headDim);
        if (talkingHeads) {
            NDArray pre = Ops.into(m, ps.getValue(preMix, device, training).transpose()); // (h, h)
            g = pre.mul(Ops.scalar(g, scale)).matMul(g);
        } else {
            g = g.mul(Ops.scalar(g, scale));
        }
        NDArray textBias = m.zeros(new Shape(b, 1, dm, lt), x.getDataType()) // on the bias row only
                .concat(TransformerLayer.maskBias(textMask).reshape(b, 1, 1, lt), 2); // (B, 1, dm+1, Lt)
        g = g.reshape(h, dm + 1, b, lt).transpose(2, 0, 1, 3).add(textBias); // (B, h, dm+1, Lt)
        NDArray logits = x1.expandDims(1).matMul(g); // (B, h, Lm, Lt), text padding at -1e9
        NDArray probabilities = logits.softmax(-1); // (B, h, Lm, Lt)
        NDArray frameShare = frameMask.div(frameMask.sum(new int[] {1}, true)).reshape(b, 1, 1, lm); // (B, 1, 1, Lm)
        NDArray r; // (B, h, 1, Lt): the masked mean over frames of the (mixed, dropped) weights
        if (training && dropout.rate() != 0f) {
            NDArray dropped = dropout.forward(ps, new NDList(postMix(ps, m, probabilities, frames, training)), training).head();
            r = frameShare.matMul(dropped);
        } else { // dropout is the identity: the post-mix, being linear, acts after the mean
            r = postMix(ps, m, frameShare.matMul(probabilities), frames, training);
        }
        NDArray v = value.forward(ps, new NDList(t), training).head() // (B, Lt, h*e)
                .reshape(b * lt, h, e).transpose(1, 0, 2); // (h, B*Lt, e)
        NDArray wo = Ops.into(m, ps.getValue(output.getParameters().get("weight"), device, training).transpose())
                .reshape(h, e, out); // (h, e, out)
        NDArray u = v.matMul(wo).reshape(h, b, lt, out).transpose(1, 0, 2, 3).reshape(b, h * lt, out); // (B, h*Lt, out)
        NDArray fused = r.reshape(b, 1, h * lt).matMul(u).reshape(b, out)
                .add(ps.getValue(output.getParameters().get("bias"), device, training)); // (B, out)
        NDArray residual = null;
        if (bidirectional) {
            NDArray frameBias = TransformerLayer.maskBias(frameMask).reshape(b, 1, lm, 1); // (B, 1, Lm, 1)
            // text padding's columns carry -1e9 here too: their weights meet a token share of 0 below
            NDArray columns = postMix(ps, m, logits.add(frameBias).softmax(2), frames, training); // (B, h, Lm, Lt)
            columns = dropout.forward(ps, new NDList(columns), training).head();
            NDArray tokenShare = textMask.div(textMask.sum(new int[] {1}, true)).reshape(b, 1, lt, 1); // (B, 1, Lt, 1)
            NDArray perFrame = columns.matMul(tokenShare).reshape(b, h, lm); // (B, h, Lm)
            NDArray z = perFrame.matMul(x1).transpose(1, 0, 2); // (h, B, dm+1)
            NDArray wm = withBias(m, ps, modalityValue, device, training) // (h*e, dm+1)
                    .reshape(h, e, dm + 1).transpose(0, 2, 1); // (h, dm+1, e)
            NDArray y = z.matMul(wm).transpose(1, 0, 2).reshape(b, h * e); // (B, h*e)
            residual = textOutput.forward(ps, new NDList(y), training).head(); // (B, dt)
        }
        return new Result(fused, residual, keepWeights ? probabilities : null);
    }

    /** @return the linear block's [weight, bias] as one (units, in + 1) array in the batch's manager */
    private static NDArray withBias(NDManager m, ParameterStore ps, Linear block, Device device, boolean training) {
        NDArray w = ps.getValue(block.getParameters().get("weight"), device, training);
        NDArray bias = ps.getValue(block.getParameters().get("bias"), device, training);
        return Ops.into(m, w.concat(Ops.into(m, bias.reshape(-1, 1)), 1));
    }

    private NDArray postMix(ParameterStore ps, NDManager m, NDArray weights, NDArray like, boolean training) {
        if (!talkingHeads) {
            return weights;
        }
        return mix(m, weights, ps.getValue(postMix, like.getDevice(), training), 1.0);
    }

    /**
     * out[b, g, i, j] = scale * sum_h P[h, g] s[b, h, i, j], as one batched matmul. P is expanded
     * to the batch explicitly: libtorch's broadcasting 2-D @ 3-D matmul computes a transposed
     * product that the reshape then copies, which made each mix (forward and backward) 3-8x slower.
     */
    private NDArray mix(NDManager m, NDArray s, NDArray p, double scale) {
        Shape shape = s.getShape();
        NDArray pt = Ops.into(m, p.transpose()); // (h, h)
        if (scale != 1.0) {
            pt = pt.mul(Ops.scalar(s, scale));
        }
        NDArray batched = pt.expandDims(0).broadcast(shape.get(0), heads, heads); // (B, h, h)
        NDArray flat = s.reshape(shape.get(0), heads, shape.get(2) * shape.get(3)); // (B, h, Lm*Lt)
        return batched.matMul(flat).reshape(shape); // (B, h, Lm, Lt)
    }

    /** (B, L, h*e) -> (B, h, L, e). */
    private NDArray heads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        Result r = attend(ps, inputs.get(0), inputs.get(1), inputs.get(2), inputs.get(3), training, false);
        return r.textResidual() == null ? new NDList(r.fused()) : new NDList(r.fused(), r.textResidual());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        return bidirectional
                ? new Shape[] {new Shape(b, out), new Shape(b, textDim)}
                : new Shape[] {new Shape(b, out)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape t = inputShapes[2];
        Shape inner = new Shape(x.get(0), x.get(1), (long) heads * headDim);
        modalityNorm.initialize(manager, dataType, x);
        textNorm.initialize(manager, dataType, t);
        query.initialize(manager, dataType, x);
        key.initialize(manager, dataType, t);
        value.initialize(manager, dataType, t);
        output.initialize(manager, dataType, inner);
        dropout.initialize(manager, dataType, inner);
        if (bidirectional) {
            modalityValue.initialize(manager, dataType, x);
            textOutput.initialize(manager, dataType, new Shape(t.get(0), t.get(1), (long) heads * headDim));
        }
    }

    /** Builds a {@link TalkingHeadsCrossAttention}. */
    public static final class Builder {
        private int heads = 8;
        private int headDim = 64;
        private int out = 16;
        private int textDim = 128;
        private boolean talkingHeads = true;
        private boolean bidirectional;
        private float dropout = 0.1f;

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder headDim(int headDim) {
            this.headDim = headDim;
            return this;
        }

        /** Width of the fused vector (the modality's output width). */
        public Builder out(int out) {
            this.out = out;
            return this;
        }

        /** Width of the text states, for the bidirectional residual. */
        public Builder textDim(int textDim) {
            this.textDim = textDim;
            return this;
        }

        public Builder talkingHeads(boolean talkingHeads) {
            this.talkingHeads = talkingHeads;
            return this;
        }

        public Builder bidirectional(boolean bidirectional) {
            this.bidirectional = bidirectional;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = (float) dropout;
            return this;
        }

        public TalkingHeadsCrossAttention build() {
            return new TalkingHeadsCrossAttention(this);
        }
    }
}
