/**
 * {@code dovetail bench elastic}: the elastic-executor benchmark. A job with a long skewed tail
 * ({@code io.dovetail.examples.elastic.SkewedTailJob}) runs with dynamic allocation on the demo's
 * local cluster through Spark's built-in shuffle (with shuffle tracking) and through Dovetail,
 * undisturbed and with an idle executor killed mid-job; the report compares wall time,
 * executor-seconds and recomputed tasks.
 *
 * <ul>
 *   <li>{@link io.dovetail.cli.bench.ElasticBench}: the sequence and the progress lines.
 *   <li>{@link io.dovetail.cli.bench.ElasticApp}: one application, its Spark settings and the
 *       kill ({@link io.dovetail.cli.bench.ExecutorKiller}).
 *   <li>{@link io.dovetail.cli.bench.ElasticReport}: Markdown, CSV and PNG.
 * </ul>
 *
 * Not here: the cluster and process handling, shared with the demo
 * ({@code io.dovetail.cli.demo}), and the job itself (the examples jar, which runs inside Spark).
 */
package io.dovetail.cli.bench;
