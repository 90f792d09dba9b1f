/**
 * Datasets and batching: in-memory splits ({@link org.mecam.data.Split}), the synthetic
 * generator that is the kit's default dataset, readers of the MMSA and MulT pickle layouts,
 * batches of NDArrays trimmed to their longest valid sequence, and the negative-information
 * perturbations of the robustness study.
 *
 * <p>Sequences are stored right-padded: valid tokens or frames first, zero padding after them.
 * Readers of front-padded files (MulT) shift them into this layout.
 */
package org.mecam.data;
