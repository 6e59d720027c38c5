package io.dovetail.cli.demo;

import java.nio.file.Path;

/**
 * What the demo runs: data size, partitions, where it works and which ports it takes (five
 * consecutive ones from {@code portBase}). Immutable.
 *
 * @param sizeBytes input size; records are 100 bytes each
 * @param partitions input files, map tasks and reduce tasks
 * @param workDir data, logs, reports and the chart
 * @param keep keep generated and sorted data and store files at the end
 * @param portBase metadata server port; storage servers, Spark master and its web UI follow
 * @param sparkHome the Spark runtime; {@code null} for the distribution's own
 * @param executorMemory heap of each Spark executor, in Spark's notation
 * @param replication Dovetail's copies of each shuffle partition
 * @param seed of the generated data set
 */
public record DemoSettings(long sizeBytes, int partitions, Path workDir, boolean keep,
    int portBase, Path sparkHome, String executorMemory, int replication, long seed) {

  public static final int RECORD_SIZE = 100;
  /** Input bytes per partition when not chosen: about two map waves on 2 cores for 1 GiB. */
  public static final long BYTES_PER_PARTITION = 64L << 20;
  public static final int STORAGE_SERVERS = 2;
  public static final String HOST = "127.0.0.1";
  public static final long MIN_EXECUTOR_MEMORY = 512L << 20;

  public DemoSettings {
    if (sizeBytes < RECORD_SIZE) {
      throw new IllegalArgumentException("--size must be at least " + RECORD_SIZE + " bytes");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1");
    }
    if (portBase < 1024 || portBase > 65535 - 4) {
      throw new IllegalArgumentException("--port-base must be between 1024 and 65531");
    }
    if (io.dovetail.common.config.Sizes.parseBytes(executorMemory) < MIN_EXECUTOR_MEMORY) {
      throw new IllegalArgumentException("--executor-memory must be at least 512m (Spark asks "
          + "for 450 MiB)");
    }
    if (replication < 1 || replication > STORAGE_SERVERS) {
      throw new IllegalArgumentException("--replication must be 1 or " + STORAGE_SERVERS);
    }
  }

  /** These settings for another input size and partition count. */
  public DemoSettings withSize(long newSizeBytes, int newPartitions) {
    return new DemoSettings(newSizeBytes, newPartitions, workDir, keep, portBase, sparkHome,
        executorMemory, replication, seed);
  }

  /** The default partition count for {@code sizeBytes}: one per 64 MiB, at least 2. */
  public static int defaultPartitions(long sizeBytes) {
    return (int) Math.max(2, Math.min(10_000, (sizeBytes + BYTES_PER_PARTITION - 1)
        / BYTES_PER_PARTITION));
  }

  public long records() {
    return sizeBytes / RECORD_SIZE;
  }

  public int metadataPort() {
    return portBase;
  }

  public int storagePort(int index) {
    return portBase + 1 + index;
  }

  public int masterPort() {
    return portBase + 1 + STORAGE_SERVERS;
  }

  public int masterUiPort() {
    return masterPort() + 1;
  }

  public String metadataAddress() {
    return HOST + ":" + metadataPort();
  }

  public String masterUrl() {
    return "spark://" + HOST + ":" + masterPort();
  }
}
