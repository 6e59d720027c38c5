package io.dovetail.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.util.HostPort;
import io.dovetail.metadata.MetadataServer;
import io.dovetail.testkit.TestDirs;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client reaches a metadata server that comes back after a long absence on its first retry,
 * not when gRPC's reconnect backoff, grown while the server was away, runs out.
 */
class MetadataReconnectTest {
  /** Failed connection attempts before the server starts: gRPC's backoff is then about 6.5 s. */
  private static final int FAILED_ATTEMPTS = 5;

  @Test
  void aServerThatIsBackAnswersTheNextRetryWhateverTheChannelsBackoff() throws Exception {
    int port = freePort();
    // The retry window is shorter than the channel's backoff after FAILED_ATTEMPTS failures
    // (1, 1.6, 2.6, 4.1, 6.6 s, each within 20 %): waiting the backoff out would fail the call.
    DovetailConf conf = new DovetailConf().set("dovetail.rpc.retryWait", "2s");
    try (MetadataClient client = new MetadataClient(new HostPort("127.0.0.1", port), conf)) {
      awaitFailedAttempts(client.channel(), port, FAILED_ATTEMPTS);
      DovetailConf serverConf = new DovetailConf()
          .set("dovetail.metadata.host", "127.0.0.1")
          .set("dovetail.metadata.port", Integer.toString(port))
          .set("dovetail.metadata.dbDir", TestDirs.create("reconnect").toString());
      try (MetadataServer server = new MetadataServer(serverConf).start()) {
        assertThat(server.port()).isEqualTo(port);
        assertThat(client.registerApplication("app-back", 60_000).getTtlMs()).isPositive();
      }
    }
  }

  /**
   * Lets {@code channel} fail to connect {@code n} times, each after gRPC's own backoff: a socket
   * on {@code port} accepts each attempt and closes it before the HTTP/2 handshake.
   */
  private static void awaitFailedAttempts(ManagedChannel channel, int port, int n)
      throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (ServerSocket refuser = new ServerSocket()) {
      refuser.setReuseAddress(true);
      refuser.bind(new InetSocketAddress("127.0.0.1", port));
      refuser.setSoTimeout(60_000); // a client that never comes fails the test, not hangs it
      channel.getState(true);
      while (attempts.get() < n) {
        try (Socket s = refuser.accept()) {
          attempts.incrementAndGet();
        }
      }
    }
    assertThat(channel.getState(false)).isNotEqualTo(ConnectivityState.READY);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
