package org.mecam.objective;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.Modality;
import org.mecam.model.MecamModel;

/**
 * The intra-modality contrastive filter, nce = k (L_t + L_a + L_v), weighted by alpha; each
 * modality's L_m is recorded as the part {@code contrastive_<m>}.
 */
final class ContrastiveTerm implements LossTerm {

    @Override
    public String name() {
        return "contrastive";
    }

    @Override
    public String description() {
        return "contrastive loss";
    }

    @Override
    public String symbol() {
        return "nce";
    }

    @Override
    public String weightKey() {
        return "alpha";
    }

    @Override
    public Stage stage() {
        return Stage.MAIN;
    }

    @Override
    public boolean appliesTo(MecamModel model) {
        return model.hasContrastiveFilter();
    }

    @Override
    public List<String> parts() {
        List<String> out = new ArrayList<>();
        for (Modality m : Modality.values()) {
            out.add(part(m));
        }
        return out;
    }

    private static String part(Modality m) {
        return "contrastive_" + m.code();
    }

    @Override
    public Value compute(Step s) {
        Map<Modality, NDArray> perModality = new LinkedHashMap<>();
        NDArray nce = s.model().contrastive(s.ps(), s.batch(), s.output().encoded(), s.training(), perModality);
        if (nce == null) {
            return null;
        }
        Map<String, NDArray> parts = new LinkedHashMap<>();
        perModality.forEach((m, v) -> parts.put(part(m), v));
        return new Value(nce, nce, parts);
    }
}
