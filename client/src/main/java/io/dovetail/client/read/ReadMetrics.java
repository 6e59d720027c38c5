package io.dovetail.client.read;

/** Counters of one {@link ShuffleReader}. Updated by the reading thread only; read any time. */
public final class ReadMetrics {
  volatile long batches;
  volatile long records;
  volatile long bytes;
  volatile long remoteBytes;
  volatile long fetchWaitNanos;
  volatile long duplicates;
  volatile long skipped;
  volatile long failovers;
  volatile long streams;

  /** Batches delivered. */
  public long batches() {
    return batches;
  }

  /** Records in the batches delivered, by their headers. */
  public long records() {
    return records;
  }

  /** Payload bytes delivered. */
  public long bytes() {
    return bytes;
  }

  /** Bytes received from storage servers (headers included). */
  public long remoteBytes() {
    return remoteBytes;
  }

  /** Time the reading thread waited for data. */
  public long fetchWaitNanos() {
    return fetchWaitNanos;
  }

  /** Batches dropped as repeats (same map, attempt and batchSeq seen before). */
  public long duplicates() {
    return duplicates;
  }

  /** Batches dropped because their attempt is not the committed one. */
  public long skipped() {
    return skipped;
  }

  /** Times a stream moved to another replica after a failure. */
  public long failovers() {
    return failovers;
  }

  /** Streams opened. */
  public long streams() {
    return streams;
  }
}
