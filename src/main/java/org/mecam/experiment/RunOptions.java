package org.mecam.experiment;

import java.util.List;
import java.util.Map;
import org.mecam.data.batch.Perturbation;
import org.mecam.objective.Objective;

/**
 * What a run does beyond training and testing.
 *
 * @param labels recorded in the run's provenance (grid, dataset, variant) for reports
 * @param robustness perturbations of the test set to evaluate after training
 * @param levels perturbation levels p
 * @param objective the loss terms MECAM trains on ({@link Objective#standard()} unless a user adds
 *     a term of their own with {@link Objective#with})
 */
public record RunOptions(Map<String, String> labels, List<Perturbation.Kind> robustness, List<Double> levels,
        Objective objective) {

    /** Options with MECAM's standard objective. */
    public RunOptions(Map<String, String> labels, List<Perturbation.Kind> robustness, List<Double> levels) {
        this(labels, robustness, levels, Objective.standard());
    }

    /** @return no labels and no robustness evaluation */
    public static RunOptions none() {
        return new RunOptions(Map.of(), List.of(), List.of());
    }

    /** @return these options with another objective */
    public RunOptions withObjective(Objective o) {
        return new RunOptions(labels, robustness, levels, o);
    }
}
