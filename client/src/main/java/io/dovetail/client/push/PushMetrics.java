package io.dovetail.client.push;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one {@link ShufflePusher}. Thread-safe. */
public final class PushMetrics {
  private final LongAdder frames = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder reroutes = new LongAdder();
  private final LongAdder blockedNanos = new LongAdder();

  void addFrame(long bytes) {
    frames.increment();
    bytesSent.add(bytes);
  }

  void addRetries(int n) {
    retries.add(n);
  }

  void addReroutes(int n) {
    reroutes.add(n);
  }

  void addBlockedNanos(long n) {
    blockedNanos.add(n);
  }

  public long frames() {
    return frames.sum();
  }

  /** Payload bytes sent, resends included. */
  public long bytesSent() {
    return bytesSent.sum();
  }

  /** Batches sent again after a failure. */
  public long retries() {
    return retries.sum();
  }

  /** Batches moved to a new epoch. */
  public long reroutes() {
    return reroutes.sum();
  }

  /** Time the pushing thread waited: for in-flight room and for acknowledgements. */
  public long blockedNanos() {
    return blockedNanos.sum();
  }
}
