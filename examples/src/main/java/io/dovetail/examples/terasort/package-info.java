/**
 * TeraGen, TeraSort and TeraValidate over files of 100-byte records (a 10-byte key and a 90-byte
 * value) on any Hadoop file system: the local disk for the demo.
 *
 * <ul>
 *   <li>{@link io.dovetail.examples.terasort.TeraRecords}: the record format, deterministic
 *       generation from a seed and a record index, key order and record checksums.
 *   <li>{@link io.dovetail.examples.terasort.RecordFiles}: one file per partition
 *       ({@code part-00000}, ...), read and written with a {@link
 *       io.dovetail.examples.terasort.PartitionSummary} (count, checksum, first and last key,
 *       sortedness).
 *   <li>{@link io.dovetail.examples.terasort.TeraGen}, {@link
 *       io.dovetail.examples.terasort.TeraSort} (sampled split points, then a range-partitioned
 *       shuffle sorted by key), {@link io.dovetail.examples.terasort.TeraValidate} (re-reads both
 *       data sets; {@link io.dovetail.examples.terasort.Validation} decides).
 *   <li>{@link io.dovetail.examples.terasort.TeraPipeline}: runs steps in one application and
 *       writes a report of wall times and shuffle metrics, for the demo and the benchmarks.
 * </ul>
 *
 * Not here: anything Dovetail-specific. The shuffle is chosen by the Spark configuration.
 */
package io.dovetail.examples.terasort;
