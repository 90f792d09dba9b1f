/**
 * Batches of NDArrays trimmed to their longest valid sequence ({@link
 * org.mecam.data.batch.BatchBuilder}), and the negative-information perturbations applied to
 * them in the robustness study ({@link org.mecam.data.batch.Perturbations}).
 */
package org.mecam.data.batch;
