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
