/**
 * Runs: {@link org.mecam.experiment.Experiments#run} trains and evaluates one configuration and
 * writes its directory atomically with full provenance; grids of variants, seeds and datasets
 * (ablations, robustness), and the long-format result store they feed.
 */
package org.mecam.experiment;
