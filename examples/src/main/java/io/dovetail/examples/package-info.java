/**
 * Example Spark jobs that exercise a shuffle: the TeraSort family in {@code terasort}, and a
 * job with a long skewed tail for elastic executors in {@code elastic}. They use
 * only Spark's public API and know nothing of Dovetail, so the same jar runs through Dovetail or
 * through Spark's built-in shuffle, as the demo and the benchmarks compare.
 */
package io.dovetail.examples;
