package org.mecam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.engine.NoGrad;

/**
 * {@code torch.optim.Adam} (betas 0.9 / 0.999, eps 1e-8, L2 weight decay added to the gradient)
 * with parameter groups, each with its own learning rate and weight decay; DJL's optimizers
 * have no groups. Parameters without a gradient are skipped, and every parameter's gradient is
 * zeroed after the step.
 */
public final class AdamOptimizer implements AutoCloseable {

    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    /** A named set of parameters with its learning rate (changed by schedules) and weight decay. */
    public static final class Group {
        private final String name;
        private final List<Parameter> parameters;
        private final double weightDecay;
        private double learningRate;

        public Group(String name, List<Parameter> parameters, double learningRate, double weightDecay) {
            this.name = name;
            this.parameters = List.copyOf(parameters);
            this.learningRate = learningRate;
            this.weightDecay = weightDecay;
        }

        public String name() {
            return name;
        }

        public List<Parameter> parameters() {
            return parameters;
        }

        public double learningRate() {
            return learningRate;
        }

        public void setLearningRate(double learningRate) {
            this.learningRate = learningRate;
        }

        public double weightDecay() {
            return weightDecay;
        }
    }

    private final NDManager state;
    private final List<Group> groups;
    private final Map<Parameter, NDArray[]> moments = new IdentityHashMap<>();
    private int steps;

    /**
     * @param parent the manager the optimizer state lives under
     * @param groups the parameter groups (empty groups are allowed)
     */
    public AdamOptimizer(NDManager parent, List<Group> groups) {
        this.state = parent.newSubManager();
        this.groups = List.copyOf(groups);
    }

    public List<Group> groups() {
        return groups;
    }

    /** @return all parameters of all groups */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        groups.forEach(g -> out.addAll(g.parameters()));
        return out;
    }

    /** @return completed steps */
    public int steps() {
        return steps;
    }

    /** Applies one Adam update to every parameter that has a gradient, then zeroes the gradients. */
    public void step() {
        steps++;
        double bc1 = 1 - Math.pow(BETA1, steps);
        double bc2 = 1 - Math.pow(BETA2, steps);
        try (NoGrad ignored = NoGrad.enter()) {
            for (Group g : groups) {
                for (Parameter p : g.parameters()) {
                    update(p, g.learningRate(), g.weightDecay(), bc1, bc2);
                }
            }
        }
    }

    private void update(Parameter p, double lr, double wd, double bc1, double bc2) {
        PtNDArray w = (PtNDArray) p.getArray();
        PtNDArray g = JniUtils.getGradient(w);
        if (g == null) {
            return;
        }
        NDArray[] mv = moments.computeIfAbsent(p, k -> new NDArray[] {state.zeros(w.getShape()), state.zeros(w.getShape())});
        try (NDManager tmp = state.newSubManager()) {
            g.attach(tmp);
            tmp.tempAttachAll(w, mv[0], mv[1]);
            NDArray grad = wd != 0 ? g.add(w.mul(wd)) : g;
            mv[0].muli(BETA1).addi(grad.mul(1 - BETA1));
            mv[1].muli(BETA2).addi(grad.square().muli(1 - BETA2));
            NDArray denominator = mv[1].sqrt().divi(Math.sqrt(bc2)).addi(EPS);
            w.subi(mv[0].div(denominator).muli(lr / bc1));
        }
        JniUtils.zeroGrad(w);
    }

    @Override
    public void close() {
        state.close();
    }
}
