/**
 * Benchmarks. Each prints ratios against a baseline measured in the same process or script, never
 * absolute times alone: {@link io.dovetail.benchmarks.StoreThroughput} compares a storage server's
 * push and read throughput with raw Netty loopback at the same message sizes.
 */
package io.dovetail.benchmarks;
