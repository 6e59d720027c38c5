/**
 * Partition files: the append-only files many map tasks push into, sealed once, then read.
 * {@link io.dovetail.storage.partition.PartitionFile} holds one file's state machine and in-memory
 * batch index and runs its flushes on the directory's flusher, with its memory buffer in a
 * {@code PartitionBuffer} and its disk side in a {@code DataFileWriter};
 * {@link io.dovetail.storage.partition.PartitionFileFormat} is the on-disk layout (data file
 * header, index file); {@link io.dovetail.storage.partition.PartitionStore} finds files by name,
 * keeps tombstones of deleted shuffles, flushes under memory pressure, and
 * {@link io.dovetail.storage.partition.DirectoryScanner} recovers sealed files at start. Reading
 * (streams) and the wire protocol live elsewhere.
 */
package io.dovetail.storage.partition;
