package io.dovetail.client.push;

import io.dovetail.client.ClientConfig;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;

/** Tunables of a {@link ShufflePusher}, read once from configuration. Immutable. */
public record PushSettings(long frameSize, int maxInFlightBytes, int maxBatchBytes,
    int maxRetries, long retryWaitMs) {

  public static PushSettings from(DovetailConf conf) {
    long maxBatch = conf.get(ClientConfig.PUSH_MAX_BATCH);
    long maxFrame = conf.get(CommonConfig.MAX_FRAME_SIZE);
    if (maxBatch + (64L << 10) > maxFrame) {
      throw new IllegalArgumentException(ClientConfig.PUSH_MAX_BATCH.key() + " (" + maxBatch
          + ") must be at least 64k below " + CommonConfig.MAX_FRAME_SIZE.key() + " (" + maxFrame
          + ")");
    }
    long frame = Math.min(conf.get(ClientConfig.PUSH_FRAME_SIZE), maxFrame / 2);
    long inFlight = conf.get(ClientConfig.PUSH_MAX_IN_FLIGHT);
    return new PushSettings(frame, (int) inFlight, (int) maxBatch,
        conf.get(ClientConfig.PUSH_MAX_RETRIES), conf.get(ClientConfig.PUSH_RETRY_WAIT).toMillis());
  }
}
