package io.dovetail.metadata.state;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.metadata.MetadataConfig;

/**
 * The limits and timings the state machine works with, read once from the configuration.
 * Immutable and thread-safe.
 *
 * @param serverHeartbeatIntervalMs told to storage servers at registration
 * @param serverHeartbeatTimeoutMs silence after which a storage server is DEAD
 * @param serverRetentionMs how long an unreferenced dead or exited server is remembered
 * @param appHeartbeatIntervalMs told to applications at registration
 * @param defaultAppTtlMs TTL of applications that register without one
 * @param maxPartitions largest partition count of a shuffle
 * @param maxMaps largest map count of a shuffle
 */
public record Settings(long serverHeartbeatIntervalMs, long serverHeartbeatTimeoutMs,
    long serverRetentionMs, long appHeartbeatIntervalMs, long defaultAppTtlMs, int maxPartitions,
    int maxMaps) {

  public Settings {
    if (serverHeartbeatTimeoutMs <= 0 || defaultAppTtlMs <= 0) {
      throw new IllegalArgumentException("heartbeat timeout and application TTL must be > 0");
    }
  }

  /** Reads the metadata-server keys; an invalid value fails with IllegalArgumentException. */
  public static Settings from(DovetailConf conf) {
    return new Settings(
        conf.get(MetadataConfig.SERVER_HEARTBEAT_INTERVAL).toMillis(),
        conf.get(MetadataConfig.SERVER_HEARTBEAT_TIMEOUT).toMillis(),
        conf.get(MetadataConfig.SERVER_RETENTION).toMillis(),
        conf.get(MetadataConfig.APP_HEARTBEAT_INTERVAL).toMillis(),
        conf.get(MetadataConfig.APP_TTL).toMillis(),
        conf.get(MetadataConfig.MAX_PARTITIONS),
        conf.get(MetadataConfig.MAX_MAPS));
  }

  /** The defaults of every key. */
  public static Settings defaults() {
    return from(new DovetailConf());
  }
}
