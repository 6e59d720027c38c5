package io.dovetail.storage;

import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigReference;
import io.dovetail.common.config.ConfigEntryProvider;
import io.dovetail.common.config.DovetailConf;
import java.time.Duration;
import java.util.List;

/**
 * Configuration keys of the storage server. Immutable and thread-safe (constants only).
 *
 * <p>{@link #validate} checks the rules that span several keys; the server runs it before it
 * touches a directory or a port.
 */
public final class StorageConfig implements ConfigEntryProvider {

  public static final ConfigEntry<String> HOST = ConfigEntry.builder("dovetail.storage.host")
      .doc("Address the data port binds to.")
      .stringConf().createWithDefault("0.0.0.0");

  public static final ConfigEntry<String> ADVERTISED_HOST =
      ConfigEntry.builder("dovetail.storage.advertisedHost")
          .doc("Host name clients use to reach this server; empty means the bind address, or "
              + "this machine's host name when binding all interfaces.")
          .stringConf().createWithDefault("");

  public static final ConfigEntry<Integer> PORT = ConfigEntry.builder("dovetail.storage.port")
      .doc("Data port; 0 picks a free port.")
      .intConf().checkValue(p -> p >= 0 && p <= 65535, "a port number").createWithDefault(9400);

  public static final ConfigEntry<Integer> METRICS_PORT =
      ConfigEntry.builder("dovetail.storage.metricsPort")
          .doc("Port of the Prometheus endpoint (GET /metrics, on dovetail.storage.host): bytes "
              + "pushed, refused, flushed and served, memory and backpressure, partition files, "
              + "data directories, and the JVM's metrics; 0 picks a free port, -1 serves none.")
          .intConf().checkValue(p -> p >= -1 && p <= 65535, "a port number, or -1 for none")
          .createWithDefault(-1);

  public static final ConfigEntry<List<String>> DIRS = ConfigEntry.builder("dovetail.storage.dirs")
      .doc("Comma-separated data directories, one per device.")
      .listConf().checkValue(l -> !l.isEmpty(), "at least one directory")
      .createWithDefault(List.of("./data/storage"));

  public static final ConfigEntry<Long> MEMORY_LIMIT =
      ConfigEntry.builder("dovetail.storage.memoryLimit")
          .doc("Off-heap bytes for frames being received and partition buffers. At the limit, "
              + "connections stop reading (backpressure) until flushing frees memory. A PUSH "
              + "frame holds twice its length while it is copied into partition buffers, and "
              + "client pushes may use 80% of the limit (the rest is kept for replica traffic), "
              + "so this must be at least 2.5 times dovetail.transport.maxFrameSize.")
          .bytesConf().checkValue(v -> v >= (1L << 20), "at least 1m")
          .createWithDefault(1L << 30);

  public static final ConfigEntry<Double> MEMORY_HIGH_WATERMARK =
      ConfigEntry.builder("dovetail.storage.memoryHighWatermark")
          .doc("Fraction of memoryLimit above which the largest partition buffers are flushed "
              + "early, whatever their size.")
          .doubleConf().checkValue(v -> v > 0 && v < 1, "a fraction in (0, 1)")
          .createWithDefault(0.7);

  public static final ConfigEntry<Double> MEMORY_LOW_WATERMARK =
      ConfigEntry.builder("dovetail.storage.memoryLowWatermark")
          .doc("Fraction of memoryLimit that early flushing (see memoryHighWatermark) aims to "
              + "bring the accounted memory down to.")
          .doubleConf().checkValue(v -> v >= 0 && v < 1, "a fraction in [0, 1)")
          .createWithDefault(0.5);

  public static final ConfigEntry<Boolean> SYNC_ON_SEAL =
      ConfigEntry.builder("dovetail.storage.syncOnSeal")
          .doc("Force a partition file, its index and their directory to the device when the file "
              + "is sealed. Without it sealed files survive the server being killed (they are in "
              + "the page cache) but not a power loss, after which readers see the loss and Spark "
              + "recomputes; with it every seal costs three device syncs.")
          .booleanConf().createWithDefault(false);

  public static final ConfigEntry<Long> PARTITION_FLUSH_THRESHOLD =
      ConfigEntry.builder("dovetail.storage.partitionFlushThreshold")
          .doc("A partition's buffered bytes that trigger a flush of that partition to its file.")
          .bytesConf().checkValue(v -> v >= 4096, "at least 4k")
          .createWithDefault(4L << 20);

  public static final ConfigEntry<Long> DIR_CAPACITY =
      ConfigEntry.builder("dovetail.storage.dirCapacity")
          .doc("Bytes each data directory may hold; 0 means the size of its disk.")
          .bytesConf().createWithDefault(0L);

  public static final ConfigEntry<Long> DISK_RESERVE =
      ConfigEntry.builder("dovetail.storage.diskReserve")
          .doc("Free space kept on each data directory's disk; batches that would eat into it are "
              + "refused with DISK_FULL.")
          .bytesConf().createWithDefault(1L << 30);

  public static final ConfigEntry<Duration> FLUSH_STALL_TIMEOUT =
      ConfigEntry.builder("dovetail.storage.flushStallTimeout")
          .doc("A data directory whose flush has not returned for this long stalls (its device "
              + "hangs rather than fails): until the flush returns, the directory is reported "
              + "unhealthy, gets no new partition files, and its files refuse new batches with "
              + "STORAGE_IO_ERROR, so writers move to other servers.")
          .durationConf().checkValue(d -> d.toMillis() > 0, "positive")
          .createWithDefault(Duration.ofSeconds(60));

  public static final ConfigEntry<Duration> DISK_CHECK_INTERVAL =
      ConfigEntry.builder("dovetail.storage.diskCheckInterval")
          .doc("How often each data directory's free space is measured (also after every flush), "
              + "and an unhealthy directory is probed again.")
          .durationConf().checkValue(d -> d.toMillis() > 0, "positive")
          .createWithDefault(Duration.ofSeconds(5));

  public static final ConfigEntry<Long> READ_CHUNK_SIZE =
      ConfigEntry.builder("dovetail.storage.readChunkSize")
          .doc("Target size of one chunk of a read stream; a batch larger than this is a chunk of "
              + "its own. Must be below dovetail.transport.maxFrameSize.")
          .bytesConf().checkValue(v -> v >= 4096, "at least 4k")
          .createWithDefault(4L << 20);

  public static final ConfigEntry<Integer> IO_THREADS =
      ConfigEntry.builder("dovetail.storage.ioThreads")
          .doc("Event-loop threads of the data port; 0 means the number of cores.")
          .intConf().checkValue(v -> v >= 0, "must be >= 0").createWithDefault(0);

  public static final ConfigEntry<Integer> FLUSHER_THREADS_PER_DIR =
      ConfigEntry.builder("dovetail.storage.flusherThreadsPerDir")
          .doc("Threads writing partition buffers to each data directory.")
          .intConf().checkValue(v -> v >= 1 && v <= 64, "between 1 and 64")
          .createWithDefault(1);

  public static final ConfigEntry<Integer> WORKER_THREADS =
      ConfigEntry.builder("dovetail.storage.workerThreads")
          .doc("Threads for work that must not run on an event loop: loading the index of a file "
              + "found at start, and connecting to replicas.")
          .intConf().checkValue(v -> v >= 1, "must be >= 1").createWithDefault(4);

  public static final ConfigEntry<Duration> TOMBSTONE_TIME =
      ConfigEntry.builder("dovetail.storage.tombstoneTime")
          .doc("How long a deleted shuffle is remembered, so late pushes to it are answered "
              + "UNKNOWN_SHUFFLE instead of creating new files.")
          .durationConf().createWithDefault(Duration.ofMinutes(10));

  public static final ConfigEntry<Duration> CLOSE_TIMEOUT =
      ConfigEntry.builder("dovetail.storage.closeTimeout")
          .doc("How long close waits for flushes and seals already under way.")
          .durationConf().createWithDefault(Duration.ofSeconds(30));

  public static final ConfigEntry<Duration> REPLICATION_TIMEOUT =
      ConfigEntry.builder("dovetail.storage.replication.timeout")
          .doc("Time a primary waits for a replica to take forwarded batches (and to answer a new "
              + "connection's handshake) before they fail with REPLICATION_FAILED. Keep it well "
              + "below the clients' dovetail.transport.requestTimeout: a primary that answers "
              + "first lets its pushers move the partition away from a frozen replica instead of "
              + "timing out themselves.")
          .durationConf().createWithDefault(Duration.ofSeconds(30));

  @Override
  public String group() {
    return "Storage server";
  }

  @Override
  public int order() {
    return 20;
  }

  @Override
  public List<ConfigEntry<?>> entries() {
    return List.of(HOST, ADVERTISED_HOST, PORT, METRICS_PORT, DIRS, MEMORY_LIMIT, MEMORY_HIGH_WATERMARK,
        MEMORY_LOW_WATERMARK, SYNC_ON_SEAL, PARTITION_FLUSH_THRESHOLD, DIR_CAPACITY, DISK_RESERVE,
        FLUSH_STALL_TIMEOUT, DISK_CHECK_INTERVAL, READ_CHUNK_SIZE, IO_THREADS, FLUSHER_THREADS_PER_DIR, WORKER_THREADS,
        TOMBSTONE_TIME, CLOSE_TIMEOUT, REPLICATION_TIMEOUT);
  }

  /**
   * Parses every key the storage server reads and checks the rules between them.
   *
   * @throws IllegalArgumentException naming the key and the rule broken
   */
  public static void validate(DovetailConf conf) {
    for (ConfigEntry<?> e : new StorageConfig().entries()) {
      conf.get(e);
    }
    ConfigReference.checkKeys(conf, java.util.Set.of("storage"), new StorageConfig());
    for (ConfigEntry<?> e : new CommonConfig().entries()) {
      conf.get(e);
    }
    long maxFrame = conf.get(CommonConfig.MAX_FRAME_SIZE);
    long memory = conf.get(MEMORY_LIMIT);
    if (memory * io.dovetail.storage.memory.MemoryBudget.CLIENT_SHARE < 2 * maxFrame) {
      throw new IllegalArgumentException(MEMORY_LIMIT.key() + " (" + memory + " bytes) must be "
          + "at least 2.5 times " + CommonConfig.MAX_FRAME_SIZE.key() + " (" + maxFrame
          + " bytes): a PUSH frame and its copy into partition buffers must fit in the 80% of "
          + "the budget client pushes may use (the rest is kept for replica traffic)");
    }
    double high = conf.get(MEMORY_HIGH_WATERMARK);
    double low = conf.get(MEMORY_LOW_WATERMARK);
    if (low >= high) {
      throw new IllegalArgumentException(MEMORY_LOW_WATERMARK.key() + " (" + low
          + ") must be below " + MEMORY_HIGH_WATERMARK.key() + " (" + high + ")");
    }
    long chunk = conf.get(READ_CHUNK_SIZE);
    if (chunk > maxFrame - 1024) {
      throw new IllegalArgumentException(READ_CHUNK_SIZE.key() + " (" + chunk + " bytes) must "
          + "be below " + CommonConfig.MAX_FRAME_SIZE.key() + " (" + maxFrame + " bytes)");
    }
  }
}
