/**
 * Evaluation protocols beyond the test metrics: robustness sweeps of test-time perturbations,
 * metrics on the subsets of samples by negative information, representation probes of a trained
 * run, the training-time augmentations a configuration names, and the export of one batch's
 * published-mode loss terms for a check against the published code ({@code PublishedCheck}).
 */
package org.mecam.experiment.protocol;
