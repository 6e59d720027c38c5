/**
 * Reading a reduce task's input: committed batches from the store, decompressed with Spark's
 * codec and deserialized, with record counts checked per batch and Spark's read metrics filled.
 */
package io.dovetail.spark.read;
