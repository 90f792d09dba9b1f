/**
 * The synthetic dataset, the kit's default: a generator whose negative information is known per
 * sample ({@link org.mecam.data.synthetic.SyntheticGenerator}, its settings
 * {@link org.mecam.data.synthetic.SyntheticSpec}, the format {@link
 * org.mecam.data.synthetic.SyntheticSource}), and full-length data for benchmarks.
 */
package org.mecam.data.synthetic;
