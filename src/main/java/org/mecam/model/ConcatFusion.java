package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.data.batch.Batch;

/** {@code concat}: MMIM-style, the utterance vectors concatenated into the regression head; no attention. */
public class ConcatFusion implements FusionVariant {

    @Override
    public String key() {
        return "concat";
    }

    @Override
    public String description() {
        return "no attention: the modalities' vectors concatenated (MMIM)";
    }

    @Override
    public FusionStep build(FusionContext context) {
        RegressionHead head = context.blocks().add("head", RegressionHead.create(context.config().projHidden(),
                context.config().dropoutPrj()));
        return new FusionStep() {
            @Override
            public Fused forward(ParameterStore ps, Batch batch, MecamModel.Encoded enc, boolean training,
                    Map<Modality, NDArray> attention) {
                NDArray fused = concat(enc.textVector(), enc.audioVector(), enc.visionVector());
                return new Fused(fused, head.forward(ps, new NDList(fused), training).head());
            }

            @Override
            public void initialize(NDManager manager, DataType type, Shape[] in) {
                head.initialize(manager, type, new Shape(in[0].get(0), context.concatWidth()));
            }
        };
    }

    /** @return the non-null parts concatenated along the feature axis */
    static NDArray concat(NDArray... parts) {
        NDList list = new NDList();
        for (NDArray part : parts) {
            if (part != null) {
                list.add(part);
            }
        }
        return list.size() == 1 ? list.head() : NDArrays.concat(list, 1);
    }
}
