package org.apache.spark.shuffle.dovetail;

import io.dovetail.spark.codec.BatchFormat;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.shuffle.BaseShuffleHandle;

/**
 * What executors need to write and read one shuffle: which application it belongs to, and where
 * its metadata server is (so executors need no configuration of their own). Serializable; sent
 * with every task.
 */
public final class DovetailShuffleHandle<K, V, C> extends BaseShuffleHandle<K, V, C> {
  private static final long serialVersionUID = 1L;

  private final String appId;
  private final String metadataAddress;
  private final int numMaps;
  private final int numPartitions;
  private final BatchFormat batchFormat;

  public DovetailShuffleHandle(int shuffleId, ShuffleDependency<K, V, C> dependency, String appId,
      String metadataAddress, int numMaps, int numPartitions, BatchFormat batchFormat) {
    super(shuffleId, dependency);
    this.appId = appId;
    this.metadataAddress = metadataAddress;
    this.numMaps = numMaps;
    this.numPartitions = numPartitions;
    this.batchFormat = batchFormat;
  }

  public String appId() {
    return appId;
  }

  public String metadataAddress() {
    return metadataAddress;
  }

  public int numMaps() {
    return numMaps;
  }

  public int numPartitions() {
    return numPartitions;
  }

  /** How every batch of this shuffle is encoded. */
  public BatchFormat batchFormat() {
    return batchFormat;
  }

  @Override
  public String toString() {
    return "DovetailShuffleHandle(" + appId + "/" + shuffleId() + ", " + numMaps + " maps, "
        + numPartitions + " partitions, " + batchFormat + ")";
  }
}
