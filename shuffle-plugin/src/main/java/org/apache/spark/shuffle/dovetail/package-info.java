/**
 * The classes Spark instantiates or whose package-private types force this package: the
 * {@link org.apache.spark.shuffle.dovetail.DovetailShuffleManager} to name in
 * {@code spark.shuffle.manager}, its handle, writer and reader, and
 * {@link org.apache.spark.shuffle.dovetail.SparkBridge} for Spark's internal constructors. The
 * logic lives in {@code io.dovetail.spark}.
 */
package org.apache.spark.shuffle.dovetail;
