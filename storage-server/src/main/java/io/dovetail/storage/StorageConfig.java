package io.dovetail.storage;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import java.util.List;

/** Configuration keys of the storage server. */
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

  public static final ConfigEntry<List<String>> DIRS = ConfigEntry.builder("dovetail.storage.dirs")
      .doc("Comma-separated data directories, one per device.")
      .listConf().checkValue(l -> !l.isEmpty(), "at least one directory")
      .createWithDefault(List.of("./data/storage"));

  public static final ConfigEntry<Long> MEMORY_LIMIT =
      ConfigEntry.builder("dovetail.storage.memoryLimit")
          .doc("Off-heap bytes for frames being received and partition buffers. At the limit, "
              + "connections stop reading (backpressure) until flushing frees memory.")
          .bytesConf().checkValue(v -> v >= (1L << 20), "at least 1m")
          .createWithDefault(1L << 30);

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
    return List.of(HOST, ADVERTISED_HOST, PORT, DIRS, MEMORY_LIMIT);
  }
}
