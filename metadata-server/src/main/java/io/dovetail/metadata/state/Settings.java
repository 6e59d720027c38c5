package io.dovetail.metadata.state;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.metadata.MetadataConfig;
import java.time.Duration;

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
 * @param indexMemoryLimitBytes bound on the estimated heap of all shuffle indexes
 */
public record Settings(long serverHeartbeatIntervalMs, long serverHeartbeatTimeoutMs,
    long serverRetentionMs, long appHeartbeatIntervalMs, long defaultAppTtlMs, int maxPartitions,
    int maxMaps, long indexMemoryLimitBytes) {

  /**
   * Longest TTL an application may ask for (and the longest {@code dovetail.metadata.app.ttl}): a
   * week. Without a bound, an application that registered with a huge TTL and died would keep its
   * shuffles, their files and their memory for ever.
   */
  public static final long MAX_APP_TTL_MS = Duration.ofDays(7).toMillis();

  /**
   * Validates the timings against each other: a timeout (or TTL) must span at least two heartbeat
   * intervals, so that one heartbeat lost or late does not declare a live server dead or drop a
   * live application with all its shuffles; and the index memory limit must be positive.
   *
   * @throws IllegalArgumentException naming the keys and values at fault
   */
  public Settings {
    positive(serverHeartbeatIntervalMs, MetadataConfig.SERVER_HEARTBEAT_INTERVAL.key());
    positive(serverHeartbeatTimeoutMs, MetadataConfig.SERVER_HEARTBEAT_TIMEOUT.key());
    positive(appHeartbeatIntervalMs, MetadataConfig.APP_HEARTBEAT_INTERVAL.key());
    positive(defaultAppTtlMs, MetadataConfig.APP_TTL.key());
    atLeastTwice(serverHeartbeatTimeoutMs, MetadataConfig.SERVER_HEARTBEAT_TIMEOUT.key(),
        serverHeartbeatIntervalMs, MetadataConfig.SERVER_HEARTBEAT_INTERVAL.key());
    atLeastTwice(defaultAppTtlMs, MetadataConfig.APP_TTL.key(),
        appHeartbeatIntervalMs, MetadataConfig.APP_HEARTBEAT_INTERVAL.key());
    if (indexMemoryLimitBytes <= 0) {
      throw new IllegalArgumentException(MetadataConfig.INDEX_MEMORY_LIMIT.key()
          + " must be > 0, got " + indexMemoryLimitBytes);
    }
    if (defaultAppTtlMs > MAX_APP_TTL_MS) {
      throw new IllegalArgumentException(MetadataConfig.APP_TTL.key() + " (" + defaultAppTtlMs
          + " ms) must be at most " + MAX_APP_TTL_MS + " ms (7 days)");
    }
  }

  /** Smallest TTL an application may ask for: two of the heartbeat intervals it is told. */
  public long minAppTtlMs() {
    return 2 * appHeartbeatIntervalMs;
  }

  private static void positive(long ms, String key) {
    if (ms <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, got " + ms + " ms");
    }
  }

  private static void atLeastTwice(long ms, String key, long intervalMs, String intervalKey) {
    if (ms < 2 * intervalMs) {
      throw new IllegalArgumentException(key + " (" + ms + " ms) must be at least twice "
          + intervalKey + " (" + intervalMs + " ms), so that one missed heartbeat is not taken "
          + "for a death; raise the first or lower the second");
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
        conf.get(MetadataConfig.MAX_MAPS),
        conf.get(MetadataConfig.INDEX_MEMORY_LIMIT));
  }

  /** The defaults of every key. */
  public static Settings defaults() {
    return from(new DovetailConf());
  }
}
