/**
 * The training objective as named loss terms (docs/METHOD.md, "Head, loss and training"): each
 * {@link org.mecam.objective.LossTerm} computes its value from the model's output, and declares
 * its name (its column in {@code epochs.csv}, its TensorBoard tag, its row in the diagnostics),
 * the key of its weight and the stage it belongs to; one list, {@link
 * org.mecam.objective.Objective#standard()}, makes MECAM's objective
 * L = L1 + alpha nce - beta lld - beta H (stage 1) and -lld (stage 0).
 *
 * <p>A new term is one class implementing {@code LossTerm}, one line in that list (or {@link
 * org.mecam.objective.Objective#with} for a run of one's own), and a test. The trainer, the
 * per-term gradient diagnostics, {@code epochs.csv}, TensorBoard, the report's diagnostics tables
 * and the progress line all iterate over the terms by name.
 */
package org.mecam.objective;
