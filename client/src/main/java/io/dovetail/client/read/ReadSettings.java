package io.dovetail.client.read;

import io.dovetail.client.ClientConfig;
import io.dovetail.common.config.DovetailConf;

/** Tunables of a {@link ShuffleReader}, read once from configuration. Immutable. */
public record ReadSettings(long maxBytesInFlight, boolean integrityCheck) {
  public static ReadSettings from(DovetailConf conf) {
    return new ReadSettings(conf.get(ClientConfig.READ_MAX_IN_FLIGHT),
        conf.get(ClientConfig.INTEGRITY_CHECK));
  }
}
