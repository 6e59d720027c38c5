package io.dovetail.client.read;

import io.dovetail.client.ClientConfig;
import io.dovetail.common.config.DovetailConf;

/**
 * Tunables of a {@link ShuffleReader}, read once from configuration. Immutable.
 *
 * @param maxRetries rounds over a partition's copies after the first, on retriable failures
 * @param retryWaitMs pause before the third round (the second is at once); doubles each round
 */
public record ReadSettings(long maxBytesInFlight, boolean integrityCheck, int maxRetries,
    long retryWaitMs) {
  public static ReadSettings from(DovetailConf conf) {
    return new ReadSettings(conf.get(ClientConfig.READ_MAX_IN_FLIGHT),
        conf.get(ClientConfig.INTEGRITY_CHECK), conf.get(ClientConfig.READ_MAX_RETRIES),
        conf.get(ClientConfig.READ_RETRY_WAIT).toMillis());
  }
}
