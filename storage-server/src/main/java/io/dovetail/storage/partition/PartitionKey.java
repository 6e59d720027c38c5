package io.dovetail.storage.partition;

/** Names one partition file: one epoch of one partition of one shuffle. Immutable; thread-safe. */
public record PartitionKey(String appId, int shuffleId, int partition, int epoch) {
  public ShuffleId shuffle() {
    return new ShuffleId(appId, shuffleId);
  }

  /** Key of (partition, epoch) inside a shuffle's map. */
  static long local(int partition, int epoch) {
    return ((long) partition << 32) | (epoch & 0xffffffffL);
  }

  @Override
  public String toString() {
    return appId + "/" + shuffleId + "/" + partition + "@" + epoch;
  }
}
