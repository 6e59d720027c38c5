/**
 * The benchmarks' report files: Markdown for people, CSV for tools and a PNG chart, written by
 * {@link io.dovetail.benchmarks.report.StoreThroughputReport} and
 * {@link io.dovetail.benchmarks.report.JmhReport} with the helpers of
 * {@link io.dovetail.benchmarks.report.Reports}.
 */
package io.dovetail.benchmarks.report;
