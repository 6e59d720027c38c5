package io.dovetail.spark;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import java.time.Duration;
import java.util.List;

/**
 * Keys of the Spark plugin. In a Spark configuration each key carries the {@code spark.} prefix,
 * for example {@code spark.dovetail.shuffle.replication}; every other Dovetail key can be given the
 * same way.
 */
public final class SparkPluginConfig implements ConfigEntryProvider {

  public static final ConfigEntry<Integer> REPLICATION =
      ConfigEntry.builder("dovetail.shuffle.replication")
          .doc("Copies of every shuffle partition (1..3). With 1, losing a storage server makes "
              + "Spark recompute the lost output; with 2 or 3 jobs continue without recomputation.")
          .intConf().checkValue(v -> v >= 1 && v <= 3, "between 1 and 3").createWithDefault(1);

  public static final ConfigEntry<Integer> HASH_MAX_PARTITIONS =
      ConfigEntry.builder("dovetail.writer.hashMaxPartitions")
          .doc("Up to this many partitions a map task keeps one serialization buffer per "
              + "partition; above it, records are serialized into one buffer and sorted by "
              + "partition (when the serializer allows relocating records, as Kryo and Spark "
              + "SQL's do), so memory does not grow with the number of partitions.")
          .intConf().checkValue(v -> v >= 1, "must be >= 1").createWithDefault(400);

  public static final ConfigEntry<Long> WRITER_BUFFER =
      ConfigEntry.builder("dovetail.writer.bufferSize")
          .doc("Serialized bytes a map task buffers before pushing; the largest partitions (or "
              + "the sorted buffer) are pushed when it is reached.")
          .bytesConf().checkValue(v -> v >= (1L << 20) && v <= (1L << 30), "between 1m and 1g")
          .createWithDefault(64L << 20);

  public static final ConfigEntry<Long> WRITER_BATCH =
      ConfigEntry.builder("dovetail.writer.batchSize")
          .doc("Serialized bytes of one partition compressed and pushed as one batch.")
          .bytesConf().checkValue(v -> v >= 1024 && v <= (64L << 20), "between 1k and 64m")
          .createWithDefault(256L << 10);

  public static final ConfigEntry<String> BATCH_FORMAT =
      ConfigEntry.builder("dovetail.writer.batchFormat")
          .doc("How a batch's serialized records are compressed. auto: one LZ4 block per batch "
              + "when spark.io.compression.codec is lz4 and I/O encryption is off (Spark's LZ4 "
              + "stream without its per-stream setup and checksums, which the batch's CRC32C "
              + "covers), else Spark's own streams; spark: always Spark's own streams.")
          .stringConf()
          .checkValue(v -> v.equals("auto") || v.equals("spark"), "auto or spark")
          .createWithDefault("auto");

  public static final ConfigEntry<Integer> EMBEDDED_STORAGE_SERVERS =
      ConfigEntry.builder("dovetail.embedded.storageServers")
          .doc("Storage servers of the embedded cluster the driver starts when "
              + "dovetail.metadata.address is empty.")
          .intConf().checkValue(v -> v >= 1 && v <= 8, "between 1 and 8").createWithDefault(1);

  public static final ConfigEntry<String> EMBEDDED_DIR = ConfigEntry.builder("dovetail.embedded.dir")
      .doc("Directory of the embedded cluster's state and data; empty means a new directory under "
          + "the driver's temporary directory, deleted when the application stops.")
      .stringConf().createWithDefault("");

  public static final ConfigEntry<Duration> APP_HEARTBEAT =
      ConfigEntry.builder("dovetail.app.heartbeatInterval")
          .doc("How often the driver tells the metadata server that the application is alive; "
              + "more often if the metadata server asks for a shorter interval.")
          .durationConf().checkValue(d -> d.toMillis() > 0, "at least 1ms")
          .createWithDefault(Duration.ofSeconds(10));

  public static final ConfigEntry<Boolean> DISABLE_LOCAL_READER =
      ConfigEntry.builder("dovetail.sql.disableLocalShuffleReader")
          .doc("Sets spark.sql.adaptive.localShuffleReader.enabled=false unless the application "
              + "set it: a local shuffle reader reads one map's output across all partitions, "
              + "which in a store that merges partitions means one stream per partition.")
          .booleanConf().createWithDefault(true);

  public static final ConfigEntry<Boolean> EXECUTOR_WARM_UP =
      ConfigEntry.builder("dovetail.executor.warmUp")
          .doc("When an executor starts and dovetail.metadata.address is set, create its store "
              + "client and open its connection to the metadata server in the background, so "
              + "that work (about 1.5 s of class loading and connecting in a fresh JVM) starts "
              + "with the executor instead of inside its first shuffle task. A client that cannot "
              + "be created is logged; a server not reachable yet is retried by the first task's "
              + "calls as usual.")
          .booleanConf().createWithDefault(true);

  @Override
  public String group() {
    return "Spark plugin (prefix every key with spark.)";
  }

  @Override
  public int order() {
    return 40;
  }

  @Override
  public List<ConfigEntry<?>> entries() {
    return List.of(REPLICATION, HASH_MAX_PARTITIONS, WRITER_BUFFER, WRITER_BATCH, BATCH_FORMAT,
        EMBEDDED_STORAGE_SERVERS, EMBEDDED_DIR, APP_HEARTBEAT, DISABLE_LOCAL_READER,
        EXECUTOR_WARM_UP);
  }
}
