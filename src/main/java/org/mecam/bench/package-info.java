/**
 * Benchmarks behind {@code mecam bench}: {@link org.mecam.bench.BenchSuite} runs each
 * measurement in a fresh {@link org.mecam.bench.BenchWorker} process (training and evaluation
 * steps, {@link org.mecam.bench.StepBenchmark}; loading dataset files,
 * {@link org.mecam.bench.DataLoadBenchmark}), the main job and a 40-epoch memory run, and writes
 * medians and targets as JSON.
 */
package org.mecam.bench;
