package io.dovetail.metadata.store;

import java.io.Closeable;

/**
 * An ordered, durable map from byte keys to byte values: the only persistence the metadata
 * server uses. Keys compare as unsigned bytes, lexicographically.
 *
 * <p>Every write is durable once the call returns: it is in the write-ahead log, so it survives
 * {@code kill -9} of the process; with synchronous writes configured it also survives power loss.
 * {@link #write(KvBatch)} applies all operations of a batch atomically.
 *
 * <p>Failures surface as {@link io.dovetail.common.DovetailException}: STORAGE_IO_ERROR for I/O
 * failures of the underlying store, INTERNAL for anything else, UNAVAILABLE once the store is
 * closed.
 *
 * <p>Implementations are thread-safe. {@link #close()} waits for calls in progress and makes
 * later calls fail; it is idempotent.
 */
public interface KeyValueStore extends Closeable {

  /** The value of {@code key}, or {@code null} when absent. */
  byte[] get(byte[] key);

  void put(byte[] key, byte[] value);

  void delete(byte[] key);

  /** Applies every operation of {@code batch} atomically, in order. An empty batch is a no-op. */
  void write(KvBatch batch);

  /**
   * Visits the entries with {@code fromInclusive <= key < toExclusive} in key order until the
   * visitor returns false. The visitor must not call back into this store's write methods.
   */
  void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor);

  /** Visits the entries whose key starts with {@code prefix}. */
  default void scanPrefix(byte[] prefix, EntryVisitor visitor) {
    byte[] end = KvBatch.prefixEnd(prefix);
    if (end == null) {
      throw new IllegalArgumentException("prefix has no upper bound");
    }
    scan(prefix, end, visitor);
  }

  /** Closes the store. Idempotent. */
  @Override
  void close();

  /** Receives entries of a scan. The arrays belong to the visitor. */
  @FunctionalInterface
  interface EntryVisitor {
    /** Returns false to stop the scan. */
    boolean visit(byte[] key, byte[] value);
  }
}
