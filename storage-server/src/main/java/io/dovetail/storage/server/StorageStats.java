package io.dovetail.storage.server;

import io.dovetail.common.ErrorCode;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of the data plane since the server started, for the metrics endpoint. Counted
 * on the event loops without locks. Thread-safe.
 */
public final class StorageStats {
  private final LongAdder pushedBatches = new LongAdder();
  private final LongAdder pushedBytes = new LongAdder();
  private final LongAdder replicaBatches = new LongAdder();
  private final LongAdder replicaBytes = new LongAdder();
  private final AtomicLongArray refused = new AtomicLongArray(ErrorCode.values().length);
  private final LongAdder streamsOpened = new LongAdder();
  private final LongAdder chunksServed = new LongAdder();
  private final LongAdder bytesServed = new LongAdder();

  /** Batches taken into partition buffers: from pushers, or forwarded by a primary. */
  void accepted(boolean forwarded, int batches, long bytes) {
    if (forwarded) {
      replicaBatches.add(batches);
      replicaBytes.add(bytes);
    } else {
      pushedBatches.add(batches);
      pushedBytes.add(bytes);
    }
  }

  /** A batch answered with {@code code}. */
  void countRefused(ErrorCode code) {
    refused.incrementAndGet(code.ordinal());
  }

  void streamOpened() {
    streamsOpened.increment();
  }

  void chunkServed(long bytes) {
    chunksServed.increment();
    bytesServed.add(bytes);
  }

  public long pushedBatches() {
    return pushedBatches.sum();
  }

  /** Payload bytes accepted from pushers (this server as primary, or unreplicated). */
  public long pushedBytes() {
    return pushedBytes.sum();
  }

  public long replicaBatches() {
    return replicaBatches.sum();
  }

  /** Payload bytes accepted as a replica. */
  public long replicaBytes() {
    return replicaBytes.sum();
  }

  /** Batches refused with {@code code}, REPLICATION_FAILED included. */
  public long refused(ErrorCode code) {
    return refused.get(code.ordinal());
  }

  public long streamsOpened() {
    return streamsOpened.sum();
  }

  public long chunksServed() {
    return chunksServed.sum();
  }

  /** Chunk bytes handed to connections for sending (headers not included). */
  public long bytesServed() {
    return bytesServed.sum();
  }
}
