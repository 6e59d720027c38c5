/**
 * A job with a long skewed tail ({@link io.dovetail.examples.elastic.SkewedTailJob}) and the
 * listener that measures it: executor-seconds under dynamic allocation, recomputed tasks and
 * resubmitted stages after an executor is lost, and the moment a benchmark may kill an idle
 * executor that holds map output. The benchmark driver ({@code dovetail bench elastic}) submits it
 * with Spark's built-in shuffle and with Dovetail; the job itself knows nothing of either.
 *
 * <p>Not here: the orchestration, the kill and the comparison table (in the distribution's
 * command line).
 */
package io.dovetail.examples.elastic;
