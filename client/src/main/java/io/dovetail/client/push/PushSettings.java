package io.dovetail.client.push;

import io.dovetail.client.ClientConfig;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;

/**
 * Tunables of a {@link ShufflePusher}, read once from configuration. Immutable.
 *
 * @param frameSize batches gathered for one destination are sent once they reach this
 * @param frameLimit what a frame's batches may take at most: the server's frame limit less room
 *     for the frame's own fields
 */
public record PushSettings(long frameSize, long frameLimit, int maxInFlightBytes,
    int maxBatchBytes, int maxRetries, long retryWaitMs) {
  /** Room a PUSH frame keeps for its fields besides its batches. */
  static final long FRAME_FIELDS = 64L << 10;

  public static PushSettings from(DovetailConf conf) {
    long maxBatch = conf.get(ClientConfig.PUSH_MAX_BATCH);
    long maxFrame = conf.get(CommonConfig.MAX_FRAME_SIZE);
    if (maxBatch + FRAME_FIELDS > maxFrame) {
      throw new IllegalArgumentException(ClientConfig.PUSH_MAX_BATCH.key() + " (" + maxBatch
          + ") must be at least 64k below " + CommonConfig.MAX_FRAME_SIZE.key() + " (" + maxFrame
          + ")");
    }
    long frame = Math.min(conf.get(ClientConfig.PUSH_FRAME_SIZE), maxFrame / 2);
    long inFlight = conf.get(ClientConfig.PUSH_MAX_IN_FLIGHT);
    return new PushSettings(frame, maxFrame - FRAME_FIELDS, (int) inFlight, (int) maxBatch,
        conf.get(ClientConfig.PUSH_MAX_RETRIES), conf.get(ClientConfig.PUSH_RETRY_WAIT).toMillis());
  }
}
