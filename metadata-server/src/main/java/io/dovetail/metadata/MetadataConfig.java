package io.dovetail.metadata;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import java.time.Duration;
import java.util.List;

/** Configuration keys of the metadata server. Immutable and thread-safe. */
public final class MetadataConfig implements ConfigEntryProvider {

  public static final ConfigEntry<String> HOST = ConfigEntry.builder("dovetail.metadata.host")
      .doc("Address the metadata server's gRPC endpoint binds to.")
      .stringConf().createWithDefault("0.0.0.0");

  public static final ConfigEntry<Integer> PORT = ConfigEntry.builder("dovetail.metadata.port")
      .doc("gRPC port of the metadata server; 0 picks a free port.")
      .intConf().checkValue(p -> p >= 0 && p <= 65535, "a port number").createWithDefault(9300);

  public static final ConfigEntry<Integer> METRICS_PORT =
      ConfigEntry.builder("dovetail.metadata.metricsPort")
          .doc("Port of the Prometheus endpoint (GET /metrics, on dovetail.metadata.host): "
              + "control-plane calls by method and outcome, storage servers by state, "
              + "applications, shuffles, and the JVM's metrics; 0 picks a free port, -1 "
              + "serves none.")
          .intConf().checkValue(p -> p >= -1 && p <= 65535, "a port number, or -1 for none")
          .createWithDefault(-1);

  public static final ConfigEntry<String> DB_DIR = ConfigEntry.builder("dovetail.metadata.dbDir")
      .doc("Directory of the metadata server's RocksDB state.")
      .stringConf().createWithDefault("./data/metadata");

  public static final ConfigEntry<Duration> SERVER_HEARTBEAT_INTERVAL =
      ConfigEntry.builder("dovetail.metadata.server.heartbeatInterval")
          .doc("How often storage servers are told to heartbeat.")
          .durationConf().createWithDefault(Duration.ofSeconds(2));

  public static final ConfigEntry<Duration> SERVER_HEARTBEAT_TIMEOUT =
      ConfigEntry.builder("dovetail.metadata.server.heartbeatTimeout")
          .doc("A storage server not heard from for this long is declared dead. At least twice "
              + "dovetail.metadata.server.heartbeatInterval, so that one late heartbeat is not "
              + "taken for a death.")
          .durationConf().createWithDefault(Duration.ofSeconds(30));

  public static final ConfigEntry<Duration> APP_HEARTBEAT_INTERVAL =
      ConfigEntry.builder("dovetail.metadata.app.heartbeatInterval")
          .doc("How often applications are told to heartbeat.")
          .durationConf().createWithDefault(Duration.ofSeconds(10));

  public static final ConfigEntry<Duration> APP_TTL = ConfigEntry.builder("dovetail.metadata.app.ttl")
      .doc("An application that has not heartbeated for this long is removed with all its "
          + "shuffles and files; the TTL of applications that register without one. At least "
          + "twice dovetail.metadata.app.heartbeatInterval and at most 7d; a TTL an application "
          + "asks for must be within the same bounds.")
      .durationConf().createWithDefault(Duration.ofMinutes(5));

  public static final ConfigEntry<Integer> THREADS = ConfigEntry.builder("dovetail.metadata.threads")
      .doc("Threads serving control-plane calls.")
      .intConf().checkValue(v -> v >= 1, "must be >= 1").createWithDefault(8);

  public static final ConfigEntry<Boolean> SYNC_WRITES =
      ConfigEntry.builder("dovetail.metadata.syncWrites")
          .doc("Fsync RocksDB's write-ahead log before answering each mutating call. The log is "
              + "always on: with false, an answered change survives kill -9 of the process (the "
              + "log is in the OS page cache); with true it also survives power loss, at the cost "
              + "of one fsync per change.")
          .booleanConf().createWithDefault(false);

  public static final ConfigEntry<Long> DB_CACHE_SIZE =
      ConfigEntry.builder("dovetail.metadata.dbCacheSize")
          .doc("RocksDB block cache of the metadata store. Map-range read plans read commits from "
              + "it.")
          .bytesConf().checkValue(v -> v >= (1L << 20), "at least 1m").createWithDefault(64L << 20);

  public static final ConfigEntry<Duration> MAINTENANCE_INTERVAL =
      ConfigEntry.builder("dovetail.metadata.maintenanceInterval")
          .doc("How often the maintenance thread declares silent storage servers dead, expires "
              + "applications past their TTL and forgets unreferenced dead servers. A pass that "
              + "comes later than asked by more than a quarter of the shorter of the server "
              + "heartbeat timeout and the application TTL means the metadata server itself was "
              + "paused (a long GC, a frozen VM): every live server and application then gets a "
              + "fresh timeout instead of being declared dead for a silence that was the metadata "
              + "server's.")
          .durationConf().checkValue(d -> d.toMillis() >= 10, "at least 10ms")
          .createWithDefault(Duration.ofSeconds(1));

  public static final ConfigEntry<Duration> SERVER_RETENTION =
      ConfigEntry.builder("dovetail.metadata.server.retention")
          .doc("A dead or exited storage server is forgotten this long after it stopped, once no "
              + "partition location names it any more. Until then it is listed in the cluster "
              + "status and a repeated ServerExit succeeds.")
          .durationConf().createWithDefault(Duration.ofMinutes(10));

  public static final ConfigEntry<Integer> MAX_PARTITIONS =
      ConfigEntry.builder("dovetail.metadata.shuffle.maxPartitions")
          .doc("Largest number of partitions a shuffle may register; a larger one is refused with "
              + "INVALID_ARGUMENT. Bounds the memory and layout size of one shuffle.")
          .intConf().checkValue(v -> v >= 1, "must be >= 1").createWithDefault(1_000_000);

  public static final ConfigEntry<Integer> MAX_MAPS =
      ConfigEntry.builder("dovetail.metadata.shuffle.maxMaps")
          .doc("Largest number of map tasks a shuffle may register; a larger one is refused with "
              + "INVALID_ARGUMENT. The commit index keeps 16 bytes per map in memory (see "
              + "dovetail.metadata.shuffle.indexMemoryLimit).")
          .intConf().checkValue(v -> v >= 1 && v <= 16_000_000, "must be in 1..16000000")
          .createWithDefault(1_000_000);

  public static final ConfigEntry<Long> INDEX_MEMORY_LIMIT =
      ConfigEntry.builder("dovetail.metadata.shuffle.indexMemoryLimit")
          .doc("Heap the in-memory indexes of all registered shuffles may take, by an estimate of "
              + "16 bytes per map, 64 bytes per partition and 512 bytes per shuffle. A "
              + "RegisterShuffle that would go over it is refused with RESOURCE_EXHAUSTED (which "
              + "callers retry: unregistered shuffles free room), one that alone is larger with "
              + "INVALID_ARGUMENT. Shuffles stored are always loaded at a start, even over the "
              + "limit. The default suits the metadata server's default 1g heap; raise both "
              + "together.")
          .bytesConf().checkValue(v -> v >= (1L << 20), "at least 1m")
          .createWithDefault(256L << 20);

  @Override
  public String group() {
    return "Metadata server";
  }

  @Override
  public int order() {
    return 10;
  }

  @Override
  public List<ConfigEntry<?>> entries() {
    return List.of(HOST, PORT, METRICS_PORT, DB_DIR, SERVER_HEARTBEAT_INTERVAL,
        SERVER_HEARTBEAT_TIMEOUT, APP_HEARTBEAT_INTERVAL, APP_TTL, THREADS, SYNC_WRITES,
        DB_CACHE_SIZE, MAINTENANCE_INTERVAL, SERVER_RETENTION, MAX_PARTITIONS, MAX_MAPS,
        INDEX_MEMORY_LIMIT);
  }
}
