/**
 * Tables (Tablesaw; CSV, Markdown, LaTeX) and figures (XChart; PNG and SVG) written to files
 * for runs, ablation grids, sweeps and the robustness study: the building blocks (statistics,
 * text tables, charts, TensorBoard event files) and the reports over a results root ({@link
 * org.mecam.report.ExperimentReport}, its ablation, sweep, robustness, diagnostics, selection and
 * negative-information tables, and publishing results into the repository).
 */
package org.mecam.report;
