/**
 * Experiments: {@link org.mecam.experiment.Experiments#run} trains and evaluates one
 * configuration with the method it names and writes its run directory atomically with full
 * provenance ({@link org.mecam.experiment.RunOptions}, {@link org.mecam.experiment.RunResult}).
 * The jobs around it live in sub-packages:
 * {@code run} (one run: its directory, files, provenance, reuse of an identical run),
 * {@code grid} (grids of variants x seeds x datasets and their launchers: local worker
 * processes, Slurm arrays, run claims), {@code protocol} (evaluation protocols: robustness
 * sweeps, negative-information subsets, representation probes) and {@code method} (the
 * registered learners: MECAM and the Tribuo baselines). Tables and figures of results are
 * {@code org.mecam.report}'s.
 */
package org.mecam.experiment;
