/**
 * One run's life: its directory, staged and committed atomically ({@link
 * org.mecam.experiment.run.RunDirectory}), the files it writes ({@link
 * org.mecam.experiment.run.RunFiles}), its provenance, its TensorBoard log, a trained run
 * reopened from its checkpoint ({@link org.mecam.experiment.run.TrainedRun}), the checks that a
 * finished run stands for a configuration and its reuse by another grid ({@link
 * org.mecam.experiment.run.ReuseCheck}, {@link org.mecam.experiment.run.ReusedRun}), and the
 * store that lists the runs under a results root.
 */
package org.mecam.experiment.run;
