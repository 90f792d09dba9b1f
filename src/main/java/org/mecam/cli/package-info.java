/**
 * The thin command-line front (picocli): {@code train}, {@code evaluate}, {@code metrics},
 * {@code bench}, {@code data}, {@code kernel}, and the experiment commands. Exit codes: 0 success,
 * 2 bad input or configuration (nothing written), 3 training stopped on a non-finite loss,
 * 1 unexpected failure.
 */
package org.mecam.cli;
