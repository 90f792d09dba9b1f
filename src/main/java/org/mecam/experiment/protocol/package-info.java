/**
 * Evaluation protocols beyond the test metrics: robustness sweeps of test-time perturbations,
 * metrics on the subsets of samples by negative information, representation probes of a trained
 * run, and the training-time augmentations a configuration names.
 */
package org.mecam.experiment.protocol;
