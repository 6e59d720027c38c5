package io.dovetail.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.client.push.ShufflePusher;
import io.dovetail.common.DovetailException;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A push that fails once its client can no longer retry ends the flush with an error. */
@ExtendWith(NettyLeakDetectionExtension.class)
class PushAfterClientClosedTest {
  /**
   * A resend waiting on the client's retry executor when the client closes is dropped with the
   * executor: a flush waiting for it ends with an error (it waited until interrupted), and its
   * buffer is released (the leak detector checks).
   */
  @Test
  void aResendQueuedWhenTheClientClosesEndsTheFlushAndReleasesItsBatch() throws Exception {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().storageServers(1)
            .conf(new DovetailConf()).build().start()) {
      DovetailClient client = new DovetailClient("test", cluster.clientConf()
          .set("dovetail.client.push.retryWait", "1h"));
      client.registerApplication("app-queued");
      client.registerShuffle("app-queued", 1, 1, 2, 1);
      ShufflePusher pusher = client.pusher("app-queued", 1, 0, 1, 0);
      try {
        byte[] bytes = Payloads.bytes(2, 1000);
        io.netty.buffer.ByteBuf payload = Payloads.buf(bytes);
        pusher.push(0, payload, 1); // gathered, not sent yet
        bytes[0] ^= 1; // corrupted after its checksum: the server answers CHECKSUM_MISMATCH
        CompletableFuture<Void> flush = CompletableFuture.runAsync(pusher::flush);
        awaitQueuedResend(client);
        client.close();
        // A hang guard, not a timing check.
        assertThatThrownBy(() -> flush.get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(DovetailException.class)
            .cause().hasMessageContaining("the client was closed");
        assertThat(payload.refCnt()).as("the queued batch is released").isZero();
      } finally {
        pusher.close();
        client.close();
      }
    }
  }

  /** The same for a push waiting for room that only the dropped resend would have freed. */
  @Test
  void aPushWaitingForRoomWhenTheClientClosesFailsInsteadOfWaitingForEver() throws Exception {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().storageServers(1)
            .conf(new DovetailConf()).build().start()) {
      DovetailClient client = new DovetailClient("test", cluster.clientConf()
          .set("dovetail.client.push.retryWait", "1h")
          .set("dovetail.client.push.maxInFlightBytes", "64k"));
      client.registerApplication("app-room");
      client.registerShuffle("app-room", 1, 1, 2, 1);
      ShufflePusher pusher = client.pusher("app-room", 1, 0, 1, 0);
      try {
        byte[] bytes = Payloads.bytes(3, 40_000);
        pusher.push(0, Payloads.buf(bytes), 1); // holds 40,000 of the 65,536 bytes in flight
        bytes[0] ^= 1; // refused with CHECKSUM_MISMATCH once sent
        CompletableFuture<Void> second = CompletableFuture.runAsync(
            () -> pusher.push(1, Payloads.buf(Payloads.bytes(4, 40_000)), 1));
        awaitQueuedResend(client);
        assertThat(second).as("waiting for room").isNotDone();
        client.close();
        // A hang guard, not a timing check.
        assertThatThrownBy(() -> second.get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(DovetailException.class)
            .cause().hasMessageContaining("the client was closed");
      } finally {
        pusher.close();
        client.close();
      }
    }
  }

  @Test
  void aFailedPushThatCannotBeRetriedFailsTheFlushInsteadOfHangingIt() throws Exception {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().storageServers(1)
            .conf(new DovetailConf()).build().start();
        DovetailClient client = new DovetailClient("test", cluster.clientConf())) {
      client.registerApplication("app-closed");
      client.registerShuffle("app-closed", 1, 1, 2, 1);
      ShufflePusher pusher = client.pusher("app-closed", 1, 0, 1, 0);
      try {
        // The server goes away and the client's retries have stopped (as when it is closing):
        // the push fails with a rerouting error that nothing can resend.
        cluster.storageServer(0).close();
        client.retryExecutor().shutdownNow();
        pusher.push(0, Payloads.buf(Payloads.bytes(1, 1000)), 1);
        // A hang guard, not a timing check: before, flush() waited for batches nobody released.
        CompletableFuture<Void> flush = CompletableFuture.runAsync(pusher::flush);
        assertThatThrownBy(() -> flush.get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(DovetailException.class)
            .cause().hasMessageContaining("cannot be retried");
        assertThat(pusher.metrics().retries()).isPositive();
      } finally {
        pusher.close();
      }
    }
  }

  /** Until a resend waits on the client's retry executor. */
  private static void awaitQueuedResend(DovetailClient client) {
    Await.until(Duration.ofSeconds(30), "a resend is queued",
        () -> !((java.util.concurrent.ScheduledThreadPoolExecutor) client.retryExecutor())
            .getQueue().isEmpty());
  }
}
