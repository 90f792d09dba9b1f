/**
 * Grids of variants x seeds x datasets (ablations, sweeps, robustness): their JSON files and
 * built-ins ({@link org.mecam.experiment.grid.Grid}), the runner that schedules their runs and
 * resumes an interrupted grid ({@link org.mecam.experiment.grid.GridRunner}), its launchers
 * (local worker processes, Slurm job arrays) and the run claims that keep two processes from
 * running one run.
 */
package org.mecam.experiment.grid;
