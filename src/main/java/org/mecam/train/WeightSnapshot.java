package org.mecam.train;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.IdentityHashMap;
import java.util.Map;

/** A copy of a model's weights on the host: the selected epoch's, restored when training ends. */
final class WeightSnapshot {

    private final Map<Parameter, float[]> values = new IdentityHashMap<>();

    private WeightSnapshot() {}

    /** @return the current weights of every parameter of {@code model} */
    static WeightSnapshot of(Block model) {
        WeightSnapshot s = new WeightSnapshot();
        for (Pair<String, Parameter> p : model.getParameters()) {
            s.values.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        return s;
    }

    /** Writes the copied weights back into their parameters. */
    void restore() {
        values.forEach((p, v) -> Checkpoint.assign(p.getArray(), v));
    }
}
