package io.dovetail.metadata.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One epoch of one partition: the servers (incarnations) holding a copy, primary first, and which
 * of those copies their server reported lost. Immutable, so equal epochs of many partitions are
 * shared through an {@link Interner}; thread-safe.
 */
final class Epoch {
  final int epoch;
  private final long[] servers;
  /** Bit i set: the copy on servers[i] was reported lost and is not offered to readers. */
  final int lostMask;

  Epoch(int epoch, long[] servers, int lostMask) {
    if (servers.length == 0 || servers.length > 31) {
      throw new IllegalArgumentException("an epoch has 1..31 servers, not " + servers.length);
    }
    this.epoch = epoch;
    this.servers = servers.clone();
    this.lostMask = lostMask;
  }

  int size() {
    return servers.length;
  }

  long server(int slot) {
    return servers[slot];
  }

  boolean isLost(int slot) {
    return (lostMask & (1 << slot)) != 0;
  }

  /** The slot of {@code incarnation}, or -1. */
  int slotOf(long incarnation) {
    for (int i = 0; i < servers.length; i++) {
      if (servers[i] == incarnation) {
        return i;
      }
    }
    return -1;
  }

  Epoch withLost(int slot) {
    return new Epoch(epoch, servers, lostMask | (1 << slot));
  }

  Epoch withServer(int slot, long incarnation) {
    long[] s = servers.clone();
    s[slot] = incarnation;
    return new Epoch(epoch, s, lostMask);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Epoch e && e.epoch == epoch && e.lostMask == lostMask
        && Arrays.equals(e.servers, servers);
  }

  @Override
  public int hashCode() {
    return (epoch * 31 + lostMask) * 31 + Arrays.hashCode(servers);
  }

  @Override
  public String toString() {
    return "Epoch{" + epoch + " " + Arrays.toString(servers)
        + (lostMask == 0 ? "" : " lost=" + Integer.toBinaryString(lostMask)) + "}";
  }

  /**
   * Shares equal epochs: a shuffle of 10,000 partitions over a few servers has only a handful of
   * distinct epoch-0 values. Not thread-safe; use one per operation.
   */
  static final class Interner {
    private final Map<Epoch, Epoch> seen = new HashMap<>();

    Epoch intern(Epoch e) {
      Epoch prev = seen.putIfAbsent(e, e);
      return prev == null ? e : prev;
    }
  }
}
