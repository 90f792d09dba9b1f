package org.mecam.experiment;

import java.util.List;
import java.util.Map;
import org.mecam.data.batch.Perturbation;

/**
 * What a run does beyond training and testing.
 *
 * @param labels recorded in the run's provenance (grid, dataset, variant) for reports
 * @param robustness perturbations of the test set to evaluate after training
 * @param levels perturbation levels p
 */
public record RunOptions(Map<String, String> labels, List<Perturbation.Kind> robustness, List<Double> levels) {

    /** @return no labels and no robustness evaluation */
    public static RunOptions none() {
        return new RunOptions(Map.of(), List.of(), List.of());
    }
}
