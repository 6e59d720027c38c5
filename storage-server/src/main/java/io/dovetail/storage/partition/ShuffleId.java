package io.dovetail.storage.partition;

/** One shuffle of one application. Immutable; thread-safe. */
public record ShuffleId(String appId, int shuffleId) {
  @Override
  public String toString() {
    return appId + "/" + shuffleId;
  }
}
