/**
 * Dataset files: the MMSA and MulT pickle layouts ({@link org.mecam.data.io.MmsaSource},
 * {@link org.mecam.data.io.MultSource} and their readers), labels and CSVs, WordPiece
 * tokenisation of transcripts, export in the MMSA layout, and {@code data inspect}
 * ({@link org.mecam.data.io.DataInspector}); the pickle reader and writer are in {@code pickle}.
 */
package org.mecam.data.io;
