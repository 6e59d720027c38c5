/**
 * {@code dovetail demo}: TeraSort once through Dovetail and once through Spark's built-in shuffle
 * on a local cluster of real processes, then a comparison table and chart; and
 * {@code dovetail bench terasort}, the same on the same cluster at several sizes with several
 * alternating runs, medians and ratios.
 *
 * <ul>
 *   <li>{@link io.dovetail.cli.demo.Demo}: the sequence, progress lines and the result.
 *   <li>{@link io.dovetail.cli.demo.LocalCluster}: a metadata server, two storage servers, a Spark
 *       Master and a Worker for two one-core executors, started from the distribution.
 *   <li>{@link io.dovetail.cli.demo.PipelineRun}: one Spark application of the example jobs,
 *       submitted through {@code SparkSubmit} in a child JVM, and its report.
 *   <li>{@link io.dovetail.cli.demo.ChildProcesses}: every process started, stopped on every path
 *       (SIGTERM, then SIGKILL, descendants included), also from a shutdown hook on Ctrl-C.
 *   <li>{@link io.dovetail.cli.demo.Ports}: fixed ports are checked first, naming the process
 *       that holds a busy one.
 *   <li>{@link io.dovetail.cli.demo.Comparison}: the table and the PNG chart.
 *   <li>{@link io.dovetail.cli.demo.TeraSortBench}: the benchmark's sequence and progress lines;
 *       {@link io.dovetail.cli.demo.BenchResults}: its runs, medians, ratios, Markdown, CSV and
 *       chart.
 * </ul>
 *
 * Not here: the Spark jobs themselves ({@code io.dovetail.examples.terasort}, a separate jar
 * that runs inside Spark).
 */
package io.dovetail.cli.demo;
