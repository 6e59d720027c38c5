package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.ReplicaTarget;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.TestTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The data plane over TLS: pushes, replication between servers and reads (from memory and,
 * copied through the encryption, from files) carry every byte; a client without TLS or that does
 * not trust the server's certificate is refused and the server stays up.
 */
@ExtendWith(NettyLeakDetectionExtension.class)
class TlsTest {
  private static TestTls tls;
  private static DovetailConf primaryConf;
  private static StorageServer primary;
  private static StorageServer replica;

  private static DovetailConf withTls(DovetailConf conf, TestTls t) {
    for (Map.Entry<String, String> e : t.settings().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return conf;
  }

  @BeforeAll
  static void start() {
    tls = TestTls.create("tls");
    primaryConf = withTls(TestServers.standalone("tls-primary"), tls);
    primary = TestServers.start(primaryConf);
    replica = TestServers.start(withTls(TestServers.standalone("tls-replica"), tls));
  }

  @AfterAll
  static void stop() {
    if (primary != null) {
      primary.close();
    }
    if (replica != null) {
      replica.close();
    }
  }

  @Test
  void pushesReplicasAndReadsCarryEveryByte() {
    roundTrip("app-tls");
  }

  private static void roundTrip(String app) {
    Random rnd = new Random(41);
    ReplicaTarget toReplica = new ReplicaTarget("127.0.0.1", replica.dataPort(),
        replica.incarnation());
    try (DataPlaneClient client = new DataPlaneClient(primaryConf, "127.0.0.1",
        primary.dataPort());
        DataPlaneClient replicaClient = new DataPlaneClient(primaryConf, "127.0.0.1",
            replica.dataPort())) {
      List<List<TestBatch>> pushed = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        List<TestBatch> batches = new ArrayList<>();
        // 150 KB and more per partition: past the 64 KiB flush threshold, so reads come from
        // the file (a region copied through TLS) and from memory.
        for (int seq = 0; seq < 6; seq++) {
          batches.add(TestBatch.random(rnd, p, 0, 1, seq, 25_000 + rnd.nextInt(10_000)));
        }
        PushResponse r = client.push(app, 1, 0, List.of(toReplica), batches);
        assertThat(r.isOk()).as("%s", r).isTrue();
        pushed.add(batches);
      }
      for (int p = 0; p < 4; p++) {
        StorageServerRoundTripTest.assertSameBatches(
            client.readAll(app, 1, p, 0).batches(), pushed.get(p));
      }
      client.seal(app, 1, 0, 1, 2, 3);
      replicaClient.seal(app, 1, 0, 1, 2, 3);
      for (int p = 0; p < 4; p++) {
        StorageServerRoundTripTest.assertSameBatches(
            client.readAll(app, 1, p, 0).batches(), pushed.get(p));
        StorageServerRoundTripTest.assertSameBatches(
            replicaClient.readAll(app, 1, p, 0).batches(), pushed.get(p));
      }
    }
  }

  @Test
  void aClientWithoutTlsIsRefused() {
    DovetailConf plain = TestServers.standalone("tls-plain-client");
    assertThatThrownBy(() -> new DataPlaneClient(plain, "127.0.0.1", primary.dataPort()))
        .isInstanceOf(DovetailException.class);
    roundTrip("app-after-plain");
  }

  @Test
  void aClientThatDoesNotTrustTheServerIsRefusedAtTheHandshake() {
    TestTls stranger = TestTls.create("tls-stranger");
    DovetailConf wary = withTls(TestServers.standalone("tls-wary-client"), stranger);
    assertThatThrownBy(() -> new DataPlaneClient(wary, "127.0.0.1", primary.dataPort()))
        .isInstanceOf(DovetailException.class)
        .hasMessageContaining("TLS handshake")
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.AUTH_FAILED));
  }

  /**
   * A peer that closes during the handshake (a server shutting down, or restarting) is a failed
   * connection, which pushers reroute around, not a credentials problem, which fails the task.
   */
  @Test
  void aHandshakeCutShortIsAFailedConnectionNotAnAuthenticationFailure() throws Exception {
    try (java.net.ServerSocket closing = new java.net.ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        try (java.net.Socket s = closing.accept()) {
          // closes at once
        } catch (java.io.IOException e) {
          // the test is over
        }
      });
      acceptor.start();
      assertThatThrownBy(() -> new DataPlaneClient(primaryConf, "127.0.0.1",
          closing.getLocalPort()))
          .isInstanceOf(DovetailException.class)
          .satisfies(e -> assertThat(((DovetailException) e).code())
              .isEqualTo(ErrorCode.CONNECTION_FAILED));
      acceptor.join(10_000);
    }
  }

  @Test
  void aServerWithoutItsKeyStoreIsRefusedByName() {
    DovetailConf conf = withTls(TestServers.standalone("tls-no-key"), tls)
        .set("dovetail.tls.keyStore", "");
    assertThatThrownBy(() -> TestServers.start(conf)).hasMessageContaining("dovetail.tls.keyStore");
  }
}
