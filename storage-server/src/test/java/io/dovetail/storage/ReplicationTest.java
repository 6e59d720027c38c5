package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.ReplicaTarget;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A primary forwarding to a replica, both real servers on real sockets. */
@ExtendWith(NettyLeakDetectionExtension.class)
class ReplicationTest {
  private static StorageServer primary;
  private static StorageServer replica;
  private static DataPlaneClient toPrimary;
  private static DataPlaneClient toReplica;

  @BeforeAll
  static void start() {
    DovetailConf a = TestServers.standalone("primary")
        .set(StorageConfig.REPLICATION_TIMEOUT.key(), "2s");
    DovetailConf b = TestServers.standalone("replica");
    primary = TestServers.start(a);
    replica = TestServers.start(b);
    toPrimary = new DataPlaneClient(a, "127.0.0.1", primary.dataPort());
    toReplica = new DataPlaneClient(b, "127.0.0.1", replica.dataPort());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {toPrimary, toReplica, primary, replica}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  private static List<TestBatch> batches(Random rnd, int partition, int n) {
    List<TestBatch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TestBatch.random(rnd, partition, i % 3, 7, i, rnd.nextInt(20_000)));
    }
    return out;
  }

  private static ReplicaTarget replicaTarget() {
    return new ReplicaTarget("127.0.0.1", replica.dataPort(), replica.incarnation());
  }

  private static void assertSame(List<TestBatch> read, List<TestBatch> pushed) {
    StorageServerRoundTripTest.assertSameBatches(read, pushed);
  }

  @Test
  void acknowledgedPushesAreAlreadyOnTheReplica() {
    Random rnd = new Random(1);
    for (int partition = 0; partition < 10; partition++) {
      List<TestBatch> b = batches(rnd, partition, 8);
      PushResponse r = toPrimary.push("app-rep", 1, 0, List.of(replicaTarget()), b);
      assertThat(r.isOk()).as("%s", r).isTrue();
      // The ack came after the replica acknowledged: it holds every batch right now.
      assertSame(toReplica.readAll("app-rep", 1, partition, 0).batches(), b);
      assertSame(toPrimary.readAll("app-rep", 1, partition, 0).batches(), b);
    }
    // The replica's memory is back to its buffers' chunks only; nothing is pinned by frames.
    assertThat(replica.peakMemoryUsedBytes()).isLessThanOrEqualTo(8L << 20);
  }

  @Test
  void onlyAcceptedBatchesAreForwarded() {
    Random rnd = new Random(3);
    List<TestBatch> b = batches(rnd, 4, 4);
    PushRequest req = DataPlaneClient.pushRequest("app-rep3", 1, 0, List.of(replicaTarget()), b);
    int second = b.get(0).payload().length;
    req.payloads().setByte(second, req.payloads().getByte(second) ^ 0x55);
    PushResponse r = (PushResponse) toPrimary.transport().requestSync(req);
    assertThat(r.failures()).containsExactly(
        new PushResponse.Failure(1, ErrorCode.CHECKSUM_MISMATCH));
    List<TestBatch> good = List.of(b.get(0), b.get(2), b.get(3));
    assertSame(toReplica.readAll("app-rep3", 1, 4, 0).batches(), good);
    assertSame(toPrimary.readAll("app-rep3", 1, 4, 0).batches(), good);
  }

  @Test
  void replicaOfAnotherIncarnationFailsReplication() {
    Random rnd = new Random(4);
    ReplicaTarget stale = new ReplicaTarget("127.0.0.1", replica.dataPort(), 12345);
    PushResponse r = toPrimary.push("app-rep4", 1, 0, List.of(stale), batches(rnd, 0, 3));
    assertThat(r.code()).isEqualTo(ErrorCode.REPLICATION_FAILED);
    assertThat(r.failures()).extracting(PushResponse.Failure::code)
        .containsOnly(ErrorCode.REPLICATION_FAILED).hasSize(3);
    assertThat(r.message()).contains("STALE_INCARNATION");
  }

  @Test
  void aReplicaThatNeverAnswersFailsReplicationBeforeThePusherTimesOut() throws Exception {
    // A frozen replica: the kernel accepts its connections, nothing ever answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        DataPlaneClient pusher = new DataPlaneClient(
            TestServers.standalone("pusher").set("dovetail.transport.requestTimeout", "20s"),
            "127.0.0.1", primary.dataPort())) {
      ReplicaTarget frozen = new ReplicaTarget("127.0.0.1", silent.getLocalPort(), 0);
      Random rnd = new Random(6);
      for (int i = 0; i < 2; i++) {
        PushResponse r = pusher.push("app-rep6", 1, 0, List.of(frozen), batches(rnd, i, 2));
        assertThat(r.failures()).as("push %d: %s", i, r)
            .extracting(PushResponse.Failure::code)
            .containsOnly(ErrorCode.REPLICATION_FAILED).hasSize(2);
      }
    }
  }

  @Test
  void replicaDownFailsReplicationAndThePrimaryStaysUsable() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    Random rnd = new Random(5);
    ReplicaTarget dead = new ReplicaTarget("127.0.0.1", deadPort, 0);
    PushResponse r = toPrimary.push("app-rep5", 1, 0, List.of(dead), batches(rnd, 0, 2));
    assertThat(r.failures()).extracting(PushResponse.Failure::code)
        .containsOnly(ErrorCode.REPLICATION_FAILED).hasSize(2);
    assertThat(r.message()).contains(String.valueOf(deadPort)).contains("CONNECTION_FAILED");
    List<TestBatch> b = batches(rnd, 1, 2);
    assertThat(toPrimary.push("app-rep5", 1, 0, List.of(replicaTarget()), b).isOk()).isTrue();
    assertSame(toReplica.readAll("app-rep5", 1, 1, 0).batches(), b);
  }
}
