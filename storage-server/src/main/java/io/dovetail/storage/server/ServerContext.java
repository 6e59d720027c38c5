package io.dovetail.storage.server;

import io.dovetail.storage.memory.MemoryBudget;
import io.dovetail.storage.partition.PartitionStore;
import io.dovetail.storage.replication.Replicator;
import io.dovetail.storage.stream.StreamManager;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the request handlers share: the components they call and the server-wide state they read.
 * Thread-safe.
 */
public final class ServerContext {
  /** Incarnation value while the server is not (or no longer) registered. */
  public static final long UNREGISTERED = Long.MIN_VALUE;

  final PartitionStore store;
  final StreamManager streams;
  final MemoryBudget budget;
  final Replicator replicator;
  final Executor worker;
  final LongAdder pushedBytes = new LongAdder();
  final StorageStats stats = new StorageStats();
  private volatile long incarnation = UNREGISTERED;
  private volatile boolean closing;

  public ServerContext(PartitionStore store, StreamManager streams, MemoryBudget budget,
      Replicator replicator, Executor worker) {
    this.store = store;
    this.streams = streams;
    this.budget = budget;
    this.replicator = replicator;
    this.worker = worker;
  }

  public long incarnation() {
    return incarnation;
  }

  public void incarnation(long incarnation) {
    this.incarnation = incarnation;
  }

  /** From now on requests are refused with SERVER_SHUTTING_DOWN. */
  public void closing() {
    closing = true;
  }

  public boolean isClosing() {
    return closing;
  }

  public StorageStats stats() {
    return stats;
  }

  /** Payload bytes accepted since the last call. */
  public long takePushedBytes() {
    return pushedBytes.sumThenReset();
  }

  /** True when {@code expected} (-1 skips the check) names this server's incarnation. */
  boolean incarnationMatches(long expected) {
    return expected == -1 || expected == incarnation;
  }
}
