/**
 * Spark-side logic of the Dovetail shuffle plugin: configuration, the per-JVM store client and
 * embedded cluster, record writing ({@code write}) and record reading ({@code read}). The classes
 * Spark instantiates live in {@code org.apache.spark.shuffle.dovetail} and stay thin.
 */
package io.dovetail.spark;
