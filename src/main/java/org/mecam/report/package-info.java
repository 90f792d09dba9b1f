/**
 * Tables (Tablesaw; CSV, Markdown, LaTeX) and figures (XChart; PNG and SVG) written to files
 * for runs, ablation grids and the robustness study.
 */
package org.mecam.report;
