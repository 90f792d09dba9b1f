package org.mecam.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import org.mecam.engine.NativeArrays;
import org.mecam.engine.NoGrad;
import org.mecam.model.EntropyMemory;
import org.mecam.model.EntropyTerm;
import org.mecam.model.MecamModel;
import org.mecam.model.Ops;

/**
 * MMIM's entropy term H of the MMILB pairs, maximised with weight beta, with a memory of the
 * previous batch (its state). A step whose pairs all had too few samples adds nothing; one
 * whose pairs were all skipped for a non-finite logdet reports NaN. Its counter
 * {@code entropy_skipped} counts skipped pairs per epoch. Not checked for finiteness on its own:
 * a skipped pair adds 0, and the total loss is checked.
 */
final class EntropyH implements LossTerm {

    @Override
    public String name() {
        return "entropy";
    }

    @Override
    public String symbol() {
        return "H";
    }

    @Override
    public String weightKey() {
        return "beta";
    }

    @Override
    public Stage stage() {
        return Stage.MAIN;
    }

    @Override
    public int sign() {
        return -1;
    }

    @Override
    public boolean checked() {
        return false;
    }

    @Override
    public boolean appliesTo(MecamModel model) {
        return model.hasMutualInformation();
    }

    @Override
    public List<String> counters() {
        return List.of("entropy_skipped");
    }

    @Override
    public State newState(NDManager manager) {
        return new Memory(new EntropyMemory(manager));
    }

    @Override
    public Value compute(Step s) {
        EntropyMemory memory = ((Memory) s.state()).memory;
        EntropyTerm.Sum sum = s.model().entropy(s.ps(), s.batch(), s.output().encoded(), memory, s.training());
        if (sum == null) {
            return null;
        }
        NDArray reported;
        try (NoGrad ignored = NoGrad.enter()) {
            NDArray none = NativeArrays.scalar(s.batch().manager, Double.NaN, DataType.FLOAT32);
            reported = NDArrays.where(sum.used().gt(Ops.scalar(sum.used(), 0)), sum.value(), none);
        }
        return new Value(sum.value(), reported, Map.of());
    }

    /** The memory of the previous batch's projections and the skip count. */
    record Memory(EntropyMemory memory) implements State {

        @Override
        public void reset() {
            memory.reset();
        }

        @Override
        public Map<String, Integer> counters() {
            return Map.of("entropy_skipped", memory.skipped());
        }

        @Override
        public void close() {
            memory.close();
        }
    }
}
