package io.dovetail.metadata;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import java.time.Duration;
import java.util.List;

/** Configuration keys of the metadata server. */
public final class MetadataConfig implements ConfigEntryProvider {

  public static final ConfigEntry<String> HOST = ConfigEntry.builder("dovetail.metadata.host")
      .doc("Address the metadata server's gRPC endpoint binds to.")
      .stringConf().createWithDefault("0.0.0.0");

  public static final ConfigEntry<Integer> PORT = ConfigEntry.builder("dovetail.metadata.port")
      .doc("gRPC port of the metadata server; 0 picks a free port.")
      .intConf().checkValue(p -> p >= 0 && p <= 65535, "a port number").createWithDefault(9300);

  public static final ConfigEntry<String> DB_DIR = ConfigEntry.builder("dovetail.metadata.dbDir")
      .doc("Directory of the metadata server's RocksDB state.")
      .stringConf().createWithDefault("./data/metadata");

  public static final ConfigEntry<Duration> SERVER_HEARTBEAT_INTERVAL =
      ConfigEntry.builder("dovetail.metadata.server.heartbeatInterval")
          .doc("How often storage servers are told to heartbeat.")
          .durationConf().createWithDefault(Duration.ofSeconds(2));

  public static final ConfigEntry<Duration> SERVER_HEARTBEAT_TIMEOUT =
      ConfigEntry.builder("dovetail.metadata.server.heartbeatTimeout")
          .doc("A storage server not heard from for this long is declared dead.")
          .durationConf().createWithDefault(Duration.ofSeconds(30));

  public static final ConfigEntry<Duration> APP_HEARTBEAT_INTERVAL =
      ConfigEntry.builder("dovetail.metadata.app.heartbeatInterval")
          .doc("How often applications are told to heartbeat.")
          .durationConf().createWithDefault(Duration.ofSeconds(10));

  public static final ConfigEntry<Duration> APP_TTL = ConfigEntry.builder("dovetail.metadata.app.ttl")
      .doc("An application that has not heartbeated for this long is removed with all its "
          + "shuffles and files.")
      .durationConf().createWithDefault(Duration.ofMinutes(5));

  public static final ConfigEntry<Integer> THREADS = ConfigEntry.builder("dovetail.metadata.threads")
      .doc("Threads serving control-plane calls.")
      .intConf().checkValue(v -> v >= 1, "must be >= 1").createWithDefault(8);

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
    return List.of(HOST, PORT, DB_DIR, SERVER_HEARTBEAT_INTERVAL, SERVER_HEARTBEAT_TIMEOUT,
        APP_HEARTBEAT_INTERVAL, APP_TTL, THREADS);
  }
}
