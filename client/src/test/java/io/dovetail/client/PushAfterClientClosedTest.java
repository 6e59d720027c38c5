package io.dovetail.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.client.push.ShufflePusher;
import io.dovetail.common.DovetailException;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A push that fails once its client can no longer retry ends the flush with an error. */
@ExtendWith(NettyLeakDetectionExtension.class)
class PushAfterClientClosedTest {
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
}
