package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.config.ModelSettings;
import org.mecam.data.batch.Batch;

/**
 * Talking-heads cross-attention from audio and from vision to text (METHOD.md, "Model"), then the
 * vectors concatenated into the regression head; without text it is {@link ConcatFusion}. The two
 * registered variants differ in what is attended: {@link Frames} attends over frame sequences,
 * {@link Pooled} over the pooled vectors as length-1 sequences, as the published code does.
 */
public abstract class CrossAttentionFusion implements FusionVariant {

    /** @return whether attention runs over pooled vectors (length 1) instead of frames */
    abstract boolean pooled();

    @Override
    public FusionStep build(FusionContext context) {
        ModelSettings c = context.config();
        boolean attention = c.uses(Modality.TEXT);
        TalkingHeadsCrossAttention audio = attention && c.uses(Modality.AUDIO)
                ? context.blocks().add("attention_a", block(context, c.audioOut())) : null;
        TalkingHeadsCrossAttention vision = attention && c.uses(Modality.VISION)
                ? context.blocks().add("attention_v", block(context, c.visionOut())) : null;
        RegressionHead head = context.blocks().add("head", RegressionHead.create(c.projHidden(), c.dropoutPrj()));
        boolean pooled = pooled();
        return new FusionStep() {
            @Override
            public Fused forward(ParameterStore ps, Batch batch, MecamModel.Encoded enc, boolean training,
                    Map<Modality, NDArray> weights) {
                NDArray t = enc.textVector();
                NDArray a = enc.audioVector();
                NDArray v = enc.visionVector();
                if (audio != null) {
                    TalkingHeadsCrossAttention.Result r = attend(ps, audio, enc.audioFrames(), enc.audioMask(), a, enc,
                            training, weights != null);
                    a = r.fused();
                    t = r.textResidual() == null ? t : t.add(r.textResidual());
                    if (weights != null) {
                        weights.put(Modality.AUDIO, r.weights());
                    }
                }
                if (vision != null) {
                    TalkingHeadsCrossAttention.Result r = attend(ps, vision, enc.visionFrames(), enc.visionMask(), v, enc,
                            training, weights != null);
                    v = r.fused();
                    t = r.textResidual() == null ? t : t.add(r.textResidual());
                    if (weights != null) {
                        weights.put(Modality.VISION, r.weights());
                    }
                }
                NDArray fused = ConcatFusion.concat(t, a, v);
                return new Fused(fused, head.forward(ps, new NDList(fused), training).head());
            }

            private TalkingHeadsCrossAttention.Result attend(ParameterStore ps, TalkingHeadsCrossAttention block,
                    NDArray frames, NDArray frameMask, NDArray vector, MecamModel.Encoded enc, boolean training,
                    boolean keepWeights) {
                if (pooled) {
                    long b = vector.getShape().get(0);
                    NDArray ones = vector.getManager().ones(new Shape(b, 1));
                    return block.attend(ps, vector.expandDims(1), ones, enc.textVector().expandDims(1), ones, training,
                            keepWeights);
                }
                return block.attend(ps, frames, frameMask, enc.textStates(), enc.textMask(), training, keepWeights);
            }

            @Override
            public void initialize(NDManager manager, DataType type, Shape[] in) {
                long b = in[0].get(0);
                int textDim = context.textDim();
                Shape textStates = pooled ? new Shape(b, 1, textDim) : new Shape(b, in[1].get(1), textDim);
                if (audio != null) {
                    Shape frames = pooled ? new Shape(b, 1, c.audioOut()) : new Shape(b, in[3].get(1), c.audioHidden());
                    audio.initialize(manager, type, frames, new Shape(b, frames.get(1)), textStates,
                            new Shape(b, textStates.get(1)));
                }
                if (vision != null) {
                    Shape frames = pooled ? new Shape(b, 1, c.visionOut()) : new Shape(b, in[6].get(1), c.visionHidden());
                    vision.initialize(manager, type, frames, new Shape(b, frames.get(1)), textStates,
                            new Shape(b, textStates.get(1)));
                }
                head.initialize(manager, type, new Shape(b, context.concatWidth()));
            }
        };
    }

    private static TalkingHeadsCrossAttention block(FusionContext context, int out) {
        ModelSettings c = context.config();
        return TalkingHeadsCrossAttention.builder().heads(c.heads()).headDim(c.headDim()).out(out)
                .textDim(context.textDim()).talkingHeads(c.talkingHeads()).bidirectional(c.bidirectional())
                .dropout(c.attnDropout()).build();
    }

    /** {@code attention}: over the audio and vision frame sequences and the text token states (the default). */
    public static final class Frames extends CrossAttentionFusion {
        @Override
        public String key() {
            return "attention";
        }

        @Override
        public String description() {
            return "talking-heads cross-attention from audio and vision frames to text tokens";
        }

        @Override
        boolean pooled() {
            return false;
        }
    }

    /** {@code pooled}: the published code's attention over pooled vectors (length-1 sequences). */
    public static final class Pooled extends CrossAttentionFusion {
        @Override
        public String key() {
            return "pooled";
        }

        @Override
        public String description() {
            return "the published length-1 attention over the pooled vectors";
        }

        @Override
        boolean pooled() {
            return true;
        }
    }
}
