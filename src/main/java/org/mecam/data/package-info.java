/**
 * The data every part of the kit shares: in-memory splits ({@link org.mecam.data.Split}) and
 * their frame stores (on the heap or mapped from the file), the dataset with its shapes and
 * notes ({@link org.mecam.data.MultimodalDataset}), the negative information of each sample, and
 * the registry of dataset formats ({@link org.mecam.data.DatasetSource}, {@link
 * org.mecam.data.Datasets#load}). Sub-packages: {@code io} (the MMSA and MulT readers, the pickle
 * reader and writer, export and inspection), {@code synthetic} (the generator whose negative
 * information is known), {@code batch} (batches of NDArrays and the perturbations of the
 * robustness study).
 *
 * <p>Sequences are stored right-padded: valid tokens or frames first, zero padding after them.
 * Readers of front-padded files (MulT) shift them into this layout.
 */
package org.mecam.data;
