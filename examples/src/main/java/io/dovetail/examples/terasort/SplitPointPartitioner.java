package io.dovetail.examples.terasort;

import java.util.Arrays;
import org.apache.spark.Partitioner;

/**
 * Range partitioning of TeraSort keys by sorted split points: with split points s1 < ... < s(n-1),
 * partition 0 takes keys below s1, partition i keys in [si, s(i+1)), and partition n-1 keys from
 * s(n-1) up. Immutable and thread-safe.
 */
public final class SplitPointPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private static final KeyComparator ORDER = new KeyComparator();

  private final byte[][] splitPoints;

  /** {@code splitPoints} must be sorted; there are one more partitions than points. */
  public SplitPointPartitioner(byte[][] splitPoints) {
    for (int i = 1; i < splitPoints.length; i++) {
      if (ORDER.compare(splitPoints[i - 1], splitPoints[i]) > 0) {
        throw new IllegalArgumentException("split points are not sorted at " + i);
      }
    }
    this.splitPoints = splitPoints.clone();
  }

  @Override
  public int numPartitions() {
    return splitPoints.length + 1;
  }

  @Override
  public int getPartition(Object key) {
    int i = Arrays.binarySearch(splitPoints, (byte[]) key, ORDER);
    // Found: the key equals split point i and starts partition i + 1. Not found: -(insertion) - 1.
    return i >= 0 ? i + 1 : -i - 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SplitPointPartitioner other
        && Arrays.deepEquals(splitPoints, other.splitPoints);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(splitPoints);
  }
}
