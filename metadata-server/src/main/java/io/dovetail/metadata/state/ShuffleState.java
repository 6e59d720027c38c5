package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.proto.ShuffleKey;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory state of one shuffle: its shape, the epochs of every partition, the winning
 * attempt of every map index and the per-partition totals over the winners. The commits' own
 * per-partition arrays stay in the store (only the winners' are kept there), which keeps a
 * 2,000-map x 10,000-partition shuffle at a few hundred kilobytes of heap.
 *
 * <p>Thread-safety: the shape is immutable; everything else is guarded by {@link #lock}, which
 * callers take with {@link #lockLive()}. Lock order: application monitor, then shuffle lock;
 * never two shuffle locks except while deleting a whole application.
 */
final class ShuffleState {
  static final long NO_ATTEMPT = -1;
  /** Heap estimate per map: {@link #winnerAttempt} and {@link #winnerStage}. */
  static final long BYTES_PER_MAP = 16;
  /**
   * Heap estimate per partition, assuming compressed references (heaps under 32 GiB): its slot in
   * {@link #epochs} (4 bytes), its one-epoch {@code Epoch[]} (24: 16 of header, 4 of reference,
   * padding) and its three totals (24), 52 bytes, rounded up for the epochs that stop being shared
   * once a location failure gives the partition its own.
   */
  static final long BYTES_PER_PARTITION = 64;
  /**
   * Heap estimate per shuffle: this object, its lock, the six array headers, its entry in the
   * application's map and the handful of interned epoch-0 values.
   */
  static final long BYTES_PER_SHUFFLE = 512;

  final String appId;
  final int shuffleId;
  final int numMaps;
  final int numPartitions;
  final int replication;
  final long registeredAtMs;
  final ReentrantLock lock = new ReentrantLock();

  // All below guarded by lock.
  long layoutVersion;
  /** Per partition, its epochs in ascending order; never empty; the last one is writable. */
  final Epoch[][] epochs;
  final long[] winnerAttempt;
  /** Per map, the winner's run: stage id in the high 32 bits, stage attempt in the low. */
  final long[] winnerStage;
  int committedMaps;
  final long[] totalBytes;
  final long[] totalRecords;
  final long[] totalBatches;
  long committedBytes;
  boolean deleted;

  ShuffleState(String appId, int shuffleId, int numMaps, int numPartitions, int replication,
      long registeredAtMs, long layoutVersion) {
    this.appId = appId;
    this.shuffleId = shuffleId;
    this.numMaps = numMaps;
    this.numPartitions = numPartitions;
    this.replication = replication;
    this.registeredAtMs = registeredAtMs;
    this.layoutVersion = layoutVersion;
    this.epochs = new Epoch[numPartitions][];
    this.winnerAttempt = new long[numMaps];
    Arrays.fill(winnerAttempt, NO_ATTEMPT);
    this.winnerStage = new long[numMaps];
    this.totalBytes = new long[numPartitions];
    this.totalRecords = new long[numPartitions];
    this.totalBatches = new long[numPartitions];
  }

  /**
   * The estimated heap of the index of a shuffle of this shape, which {@code
   * dovetail.metadata.shuffle.indexMemoryLimit} bounds. At most about 80 MB for the largest
   * shapes the configuration allows by default (1,000,000 maps and partitions).
   */
  static long indexBytes(int maps, int partitions) {
    return BYTES_PER_SHUFFLE + BYTES_PER_MAP * maps + BYTES_PER_PARTITION * partitions;
  }

  long indexBytes() {
    return indexBytes(numMaps, numPartitions);
  }

  /** Takes the lock; fails with UNKNOWN_SHUFFLE (lock released) if the shuffle was deleted. */
  void lockLive() {
    lock.lock();
    if (deleted) {
      lock.unlock();
      throw unknown();
    }
  }

  void unlock() {
    lock.unlock();
  }

  DovetailException unknown() {
    return new DovetailException(ErrorCode.UNKNOWN_SHUFFLE,
        "shuffle " + shuffleId + " of application " + appId + " is not registered");
  }

  boolean sameShape(int maps, int partitions, int repl) {
    return numMaps == maps && numPartitions == partitions && replication == repl;
  }

  Epoch writable(int partition) {
    Epoch[] e = epochs[partition];
    return e[e.length - 1];
  }

  /** The epoch numbered {@code epoch} of {@code partition}, or null. */
  Epoch epoch(int partition, int epoch) {
    for (Epoch e : epochs[partition]) {
      if (e.epoch == epoch) {
        return e;
      }
    }
    return null;
  }

  ShuffleKey key() {
    return ShuffleKey.newBuilder().setAppId(appId).setShuffleId(shuffleId).build();
  }

  @Override
  public String toString() {
    return appId + "/" + shuffleId;
  }
}
