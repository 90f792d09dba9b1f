package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.config.ModelSettings;
import org.mecam.data.batch.Batch;

/** {@code late}: baseline, one regression head per modality, the predictions averaged. */
public class LateFusion implements FusionVariant {

    @Override
    public String key() {
        return "late";
    }

    @Override
    public String description() {
        return "baseline: one regression head per modality, predictions averaged";
    }

    @Override
    public FusionStep build(FusionContext context) {
        ModelSettings c = context.config();
        Map<Modality, RegressionHead> heads = new LinkedHashMap<>();
        for (Modality m : c.modalityList()) {
            heads.put(m, context.blocks().add("head_" + m.code(), RegressionHead.create(c.projHidden(), c.dropoutPrj())));
        }
        return new FusionStep() {
            @Override
            public Fused forward(ParameterStore ps, Batch batch, MecamModel.Encoded enc, boolean training,
                    Map<Modality, NDArray> attention) {
                NDArray fused = ConcatFusion.concat(enc.textVector(), enc.audioVector(), enc.visionVector());
                NDArray sum = null;
                for (Map.Entry<Modality, RegressionHead> e : heads.entrySet()) {
                    NDArray p = e.getValue().forward(ps, new NDList(enc.vector(e.getKey())), training).head(); // (B)
                    sum = sum == null ? p : sum.add(p);
                }
                NDArray prediction = sum.mul(Ops.scalar(sum, 1.0 / heads.size()));
                return new Fused(fused, prediction);
            }

            @Override
            public void initialize(NDManager manager, DataType type, Shape[] in) {
                for (Map.Entry<Modality, RegressionHead> e : heads.entrySet()) {
                    e.getValue().initialize(manager, type, new Shape(in[0].get(0), context.width(e.getKey())));
                }
            }
        };
    }
}
