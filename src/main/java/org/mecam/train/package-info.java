/**
 * The one trainer of every experiment (docs/METHOD.md, "Head, loss and training"): stage 0 (MMILB estimators maximise lld)
 * and stage 1 (the main loss) per epoch, two Adam optimizers with parameter groups, global
 * gradient-norm clipping, reduce-on-plateau, early stopping, model selection on the validation
 * loss, a diagnosis when a loss term becomes non-finite, and checkpoints.
 */
package org.mecam.train;
