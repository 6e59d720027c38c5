package io.dovetail.client;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import java.time.Duration;
import java.util.List;

/** Configuration keys of the store client. */
public final class ClientConfig implements ConfigEntryProvider {

  public static final ConfigEntry<Long> PUSH_FRAME_SIZE =
      ConfigEntry.builder("dovetail.client.push.frameSize")
          .doc("Batches to the same servers are gathered into one PUSH frame of about this size.")
          .bytesConf().checkValue(v -> v >= 1024, "at least 1k").createWithDefault(1L << 20);

  public static final ConfigEntry<Long> PUSH_MAX_IN_FLIGHT =
      ConfigEntry.builder("dovetail.client.push.maxInFlightBytes")
          .doc("Bytes one writer may have pushed but not yet acknowledged; pushing blocks above "
              + "it.")
          .bytesConf().checkValue(v -> v >= (64L << 10) && v <= Integer.MAX_VALUE,
              "between 64k and 2g")
          .createWithDefault(64L << 20);

  public static final ConfigEntry<Long> PUSH_MAX_BATCH =
      ConfigEntry.builder("dovetail.client.push.maxBatchBytes")
          .doc("A payload larger than this is split into fragments (joined again by readers). "
              + "Must be well below dovetail.transport.maxFrameSize.")
          .bytesConf().checkValue(v -> v >= 1024 && v <= (1L << 30), "between 1k and 1g")
          .createWithDefault(16L << 20);

  public static final ConfigEntry<Integer> PUSH_MAX_RETRIES =
      ConfigEntry.builder("dovetail.client.push.maxRetries")
          .doc("Times one batch is resent (after a retriable error or to a new location) before "
              + "the writer fails.")
          .intConf().checkValue(v -> v >= 0, "must be >= 0").createWithDefault(6);

  public static final ConfigEntry<Duration> PUSH_RETRY_WAIT =
      ConfigEntry.builder("dovetail.client.push.retryWait")
          .doc("Pause before resending after a retriable error (a busy server).")
          .durationConf().createWithDefault(Duration.ofMillis(200));

  public static final ConfigEntry<Long> READ_MAX_IN_FLIGHT =
      ConfigEntry.builder("dovetail.client.read.maxBytesInFlight")
          .doc("Bytes a reader may have requested but not yet consumed (prefetch bound).")
          .bytesConf().checkValue(v -> v >= (64L << 10), "at least 64k")
          .createWithDefault(48L << 20);

  public static final ConfigEntry<Integer> READ_MAX_RETRIES =
      ConfigEntry.builder("dovetail.client.read.maxRetries")
          .doc("Rounds a reader tries a partition's copies again after their connections failed "
              + "(a server restarting its connections, a moment of overload), before it reports "
              + "the partition lost and Spark recomputes its maps. The first round again is at "
              + "once, none within dovetail.transport.connectFailFast of a failed connect; a "
              + "server that failed every round is not tried again by the same reader.")
          .intConf().checkValue(v -> v >= 0, "must be >= 0").createWithDefault(3);

  public static final ConfigEntry<Duration> READ_RETRY_WAIT =
      ConfigEntry.builder("dovetail.client.read.retryWait")
          .doc("Pause before a reader's third round over a partition's copies; doubles each "
              + "round after.")
          .durationConf().checkValue(d -> !d.isNegative(), "not negative")
          .createWithDefault(Duration.ofMillis(500));

  public static final ConfigEntry<Boolean> INTEGRITY_CHECK =
      ConfigEntry.builder("dovetail.client.integrityCheck")
          .doc("Readers compare the bytes, records and batches of each partition with what was "
              + "committed and fail on any difference. Off, they still compare the batches and "
              + "check that no payload is missing a fragment.")
          .booleanConf().createWithDefault(true);

  @Override
  public String group() {
    return "Client";
  }

  @Override
  public int order() {
    return 30;
  }

  @Override
  public List<ConfigEntry<?>> entries() {
    return List.of(PUSH_FRAME_SIZE, PUSH_MAX_IN_FLIGHT, PUSH_MAX_BATCH, PUSH_MAX_RETRIES,
        PUSH_RETRY_WAIT, READ_MAX_IN_FLIGHT, READ_MAX_RETRIES, READ_RETRY_WAIT, INTEGRITY_CHECK);
  }
}
