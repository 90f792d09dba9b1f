/**
 * Evaluation (docs/METHOD.md, "Protocol"): the metrics MAE, Pearson correlation, Acc-7, Acc-5 and
 * Acc-2 / weighted F1 in the has0 and non0 conventions, with numpy's round-half-to-even, and
 * prediction over a split without gradient.
 */
package org.mecam.eval;
