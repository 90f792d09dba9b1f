package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.config.ModelSettings;
import org.mecam.config.TextMode;
import org.mecam.data.batch.Batch;
import org.mecam.engine.NativeArrays;

/**
 * {@code early}: baseline, one LSTM over the frame-wise concatenation of the aligned modalities'
 * features, then the regression head; the model has no per-modality encoder, so neither the
 * contrastive filter nor the MI terms apply.
 */
public class EarlyFusion implements FusionVariant {

    @Override
    public String key() {
        return "early";
    }

    @Override
    public String description() {
        return "baseline: one LSTM over the concatenated aligned features of all modalities";
    }

    @Override
    public boolean needsAlignedLengths() {
        return true;
    }

    @Override
    public boolean hasModalityEncoders() {
        return false;
    }

    @Override
    public List<String> check(ModelSettings c) {
        List<String> problems = new ArrayList<>();
        if (c.alpha() > 0 || c.beta() > 0) {
            problems.add("fusion=early: the contrastive and MI terms need per-modality vectors; set --alpha 0 --beta 0");
        }
        if (c.textMode() != TextMode.FEATURES) {
            problems.add("fusion=early concatenates token features: needs --text-mode features");
        }
        return problems;
    }

    @Override
    public FusionStep build(FusionContext context) {
        ModelSettings c = context.config();
        SequenceEncoder early = context.blocks().add("early", SequenceEncoder.builder().hidden(c.textDim()).out(c.textDim())
                .dropout(c.dropoutText()).build());
        RegressionHead head = context.blocks().add("head", RegressionHead.create(c.projHidden(), c.dropoutPrj()));
        return new FusionStep() {
            /**
             * The data are aligned (checked when the dataset is loaded), but a batch's modalities may
             * still differ in length, e.g. after a cross-sample conflict perturbation swapped in another
             * sample's modality: shorter ones are right-padded with zero frames and each sample's
             * sequence ends at the last valid frame of any modality.
             */
            @Override
            public Fused forward(ParameterStore ps, Batch batch, MecamModel.Encoded enc, boolean training,
                    Map<Modality, NDArray> attention) {
                if (batch == null) {
                    throw new UnsupportedOperationException("fusion=early reads the batch's sequences: use"
                            + " MecamModel.forward(ParameterStore, Batch, boolean)");
                }
                List<Batch.Sequence> used = used(batch);
                long len = 0;
                for (Batch.Sequence s : used) {
                    len = Math.max(len, s.data().getShape().get(1));
                }
                NDList frames = new NDList();
                for (Batch.Sequence s : used) {
                    Shape shape = s.data().getShape(); // (B, L, D)
                    long l = shape.get(1);
                    frames.add(l == len ? s.data() : NDArrays.concat(new NDList(s.data(), batch.manager.zeros(
                            new Shape(shape.get(0), len - l, shape.get(2)), s.data().getDataType())), 1));
                }
                NDArray x = frames.size() == 1 ? frames.head() : NDArrays.concat(frames, 2); // (B, L, Dt + Da + Dv)
                NDArray fused = early.forward(ps, new NDList(x, lastIndex(batch)), training).get(1); // (B, d)
                return new Fused(fused, head.forward(ps, new NDList(fused), training).head());
            }

            @Override
            public void prepare(Batch batch) {
                lastIndex(batch);
            }

            private List<Batch.Sequence> used(Batch batch) {
                List<Batch.Sequence> used = new ArrayList<>();
                for (Modality m : Modality.values()) {
                    if (c.uses(m)) {
                        used.add(batch.sequence(m));
                    }
                }
                return used;
            }

            /** @return each sample's last valid frame of any modality [B], on the device */
            private NDArray lastIndex(Batch batch) {
                List<Batch.Sequence> used = used(batch);
                if (used.size() == 1) {
                    return used.get(0).last();
                }
                return batch.derived(EarlyFusion.class, b -> {
                    long[] last = new long[b.size()];
                    Arrays.fill(last, -1);
                    for (Batch.Sequence s : used) {
                        for (int k = 0; k < last.length; k++) {
                            last[k] = Math.max(last[k], s.lengths()[k] - 1);
                        }
                    }
                    return NativeArrays.longs(b.manager, last);
                });
            }

            @Override
            public void initialize(NDManager manager, DataType type, Shape[] in) {
                long b = in[0].get(0);
                long width = (c.uses(Modality.TEXT) ? in[0].get(2) : 0) + (c.uses(Modality.AUDIO) ? in[3].get(2) : 0)
                        + (c.uses(Modality.VISION) ? in[6].get(2) : 0);
                early.initialize(manager, type, new Shape(b, in[0].get(1), width), new Shape(b));
                head.initialize(manager, type, new Shape(b, c.textDim()));
            }
        };
    }
}
