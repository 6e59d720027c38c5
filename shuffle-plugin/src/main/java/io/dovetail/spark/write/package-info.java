/**
 * Writing one map task's records: serialize, gather per partition, compress each batch with
 * Spark's codec and push it. {@link io.dovetail.spark.write.HashSink} keeps one serialization
 * stream per partition; {@link io.dovetail.spark.write.SortSink} serializes into one buffer and
 * sorts record pointers by partition, so its memory does not depend on the partition count.
 */
package io.dovetail.spark.write;
