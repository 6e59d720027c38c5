package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.util.Lifecycle;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ShuffleKey;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.TestDirs;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The storage server against a fake metadata server's StorageRegistry (real gRPC). */
@ExtendWith(NettyLeakDetectionExtension.class)
class RegistryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final Random rnd = new Random(8);
  private FakeRegistry registry;
  private Path dir;
  private DovetailConf conf;
  private StorageServer server;
  private DataPlaneClient client;

  @BeforeEach
  void start() throws Exception {
    registry = new FakeRegistry(41, 100);
    dir = TestDirs.create("registry");
    conf = TestServers.conf(dir)
        .set(CommonConfig.METADATA_ADDRESS.key(), registry.address())
        .set(StorageConfig.MEMORY_LIMIT.key(), "4m")
        .set(CommonConfig.RPC_TIMEOUT.key(), "2s");
    server = TestServers.start(conf);
    client = new DataPlaneClient(conf, "127.0.0.1", server.dataPort());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    registry.close();
  }

  private PushResponse push(String app, int shuffle, int partition, int size) {
    return client.push(app, shuffle, server.incarnation(), List.of(
        TestBatch.random(rnd, partition, 0, 1, 0, size)));
  }

  private static ShuffleKey key(String app, int shuffle) {
    return ShuffleKey.newBuilder().setAppId(app).setShuffleId(shuffle).build();
  }

  @Test
  void registersAndHeartbeatsWhatItHolds() {
    assertThat(server.incarnation()).isEqualTo(41);
    RegisterServerRequest reg = registry.registrations.get(0);
    assertThat(reg.getHost()).isEqualTo("127.0.0.1");
    assertThat(reg.getDataPort()).isEqualTo(server.dataPort());
    assertThat(reg.getMemoryLimitBytes()).isEqualTo(4L << 20);
    assertThat(reg.getDisksList()).singleElement().satisfies(d -> {
      assertThat(d.getPath()).isEqualTo(dir.toAbsolutePath().normalize().toString());
      assertThat(d.getHealthy()).isTrue();
      assertThat(d.getCapacityBytes()).isPositive();
    });
    assertThat(reg.getSealedList()).isEmpty();

    assertThat(push("app-a", 1, 0, 5000).isOk()).isTrue();
    client.open("app-a", 1, 0, server.incarnation(), 0, 10, null, null);
    ServerHeartbeatRequest hb = Await.value(WAIT, "a heartbeat with the shuffle", () ->
        registry.heartbeats.stream().filter(h -> h.getHeldList().contains(key("app-a", 1))
            && h.getOpenStreams() == 1).findFirst().orElse(null));
    assertThat(hb.getIncarnation()).isEqualTo(41);
    assertThat(hb.getMemoryLimitBytes()).isEqualTo(4L << 20);
    assertThat(registry.heartbeats.stream().mapToLong(
        ServerHeartbeatRequest::getRecentPushBytes).sum()).isEqualTo(5000);
  }

  @Test
  void removedShufflesAreDeletedAndTombstoned() {
    assertThat(push("app-r", 1, 0, 3000).isOk()).isTrue();
    assertThat(push("app-r", 1, 1, 300_000).isOk()).isTrue();
    client.seal("app-r", 1, 0, 1);
    assertThat(push("app-r", 2, 0, 10).isOk()).isTrue();
    Path shuffleDir = dir.resolve("app-r/1");
    assertThat(shuffleDir).isDirectory();

    registry.removed.add(key("app-r", 1));
    Await.until(WAIT, "shuffle app-r/1 deleted", () -> !Files.exists(shuffleDir));
    Await.until(WAIT, "heartbeats no longer list it", () -> {
      ServerHeartbeatRequest last = registry.lastHeartbeat();
      return last != null && !last.getHeldList().contains(key("app-r", 1))
          && last.getHeldList().contains(key("app-r", 2));
    });
    assertThat(push("app-r", 1, 0, 10).failures()).extracting(PushResponse.Failure::code)
        .containsExactly(ErrorCode.UNKNOWN_SHUFFLE);
    assertThatThrownBy(() -> client.open("app-r", 1, 0, server.incarnation(), 0, 10, null,
        null)).hasMessageContaining("UNKNOWN_SHUFFLE");
    // The other shuffle is untouched.
    client.seal("app-r", 2, 0);
    assertThat(client.readAll("app-r", 2, 0, server.incarnation()).batches()).hasSize(1);
  }

  @Test
  void registersAgainWhenForgottenAndAbandonsUnsealedFiles() {
    assertThat(push("app-g", 1, 0, 1000).isOk()).isTrue();
    client.seal("app-g", 1, 0);
    assertThat(push("app-g", 1, 1, 300_000).isOk()).isTrue();
    Path unsealed = dir.resolve("app-g/1/1-0.data");
    Await.until(WAIT, "unsealed data reached the disk", () -> Files.exists(unsealed));

    registry.reregisterOnce.set(true);
    Await.until(WAIT, "a second registration", () -> registry.registrations.size() == 2);
    Await.until(WAIT, "the new incarnation in use", () -> server.incarnation() == 42);
    RegisterServerRequest again = registry.registrations.get(1);
    assertThat(again.getSealedList()).containsExactly(SealedPartition.newBuilder()
        .setAppId("app-g").setShuffleId(1).setPartition(0).setEpoch(0).setIncarnation(41)
        .setBytes(sizeOf(dir.resolve("app-g/1/0-0.data"))).build());
    Await.until(WAIT, "the abandoned file is deleted", () -> !Files.exists(unsealed));
    assertThat(client.push("app-g", 1, -1, List.of(TestBatch.random(rnd, 1, 0, 1, 1, 10)))
        .failures()).extracting(PushResponse.Failure::code)
        .containsExactly(ErrorCode.STALE_INCARNATION);
    assertThat(client.push("app-g", 1, 41, List.of(TestBatch.random(rnd, 2, 0, 1, 0, 10)))
        .code()).isEqualTo(ErrorCode.STALE_INCARNATION);
    // The sealed file of the old incarnation is served under the new one.
    assertThat(client.readAll("app-g", 1, 0, 42).batches()).hasSize(1);
  }

  @Test
  void keepsServingWhileTheMetadataServerIsDown() {
    int before = registry.goDown();
    assertThat(push("app-d", 1, 0, 1000).isOk()).isTrue();
    client.seal("app-d", 1, 0);
    assertThat(client.readAll("app-d", 1, 0, server.incarnation()).batches()).hasSize(1);
    assertThat(registry.heartbeatCount()).isEqualTo(before);
    registry.down.set(false);
    Await.until(WAIT, "heartbeats resume", () -> registry.heartbeatCount() > before + 2);
    assertThat(server.state()).isEqualTo(Lifecycle.State.RUNNING);
  }

  @Test
  void aMetadataServerBackAfterALongAbsenceHearsTheNextHeartbeat() throws Exception {
    int port = registry.port();
    registry.close();
    // gRPC's reconnect backoff grows with every failed connection (1, 1.6, 2.6, 4.1, 6.6 s...):
    // a socket on the port accepts and drops each attempt. Heartbeats every 100 ms that waited it
    // out would fail about 60 times once the server is back; each failure resets the backoff.
    try (ServerSocket refuser = new ServerSocket()) {
      refuser.setReuseAddress(true);
      refuser.bind(new InetSocketAddress("127.0.0.1", port));
      refuser.setSoTimeout(60_000); // a client that never comes fails the test, not hangs it
      for (int attempts = 0; attempts < 5; attempts++) {
        refuser.accept().close();
      }
    }
    registry = new FakeRegistry(90, 100, port);
    long failedBefore = server.failedHeartbeats();
    int beatsBefore = registry.heartbeatCount();
    Await.until(WAIT, "heartbeats reach the registry again",
        () -> registry.heartbeatCount() > beatsBefore);
    assertThat(server.failedHeartbeats() - failedBefore)
        .as("heartbeats that failed after the registry was back").isLessThanOrEqualTo(3);
  }

  @Test
  void drainsThenSaysGoodbyeAndExits() throws Exception {
    assertThat(push("app-x", 1, 0, 1000).isOk()).isTrue();
    registry.draining.set(true);
    Await.until(WAIT, "a few heartbeats while draining",
        () -> registry.heartbeats.stream().filter(h -> h.getHeldCount() > 0).count() > 3);
    assertThat(registry.exits).isEmpty();
    // Still serving while draining.
    client.seal("app-x", 1, 0);
    assertThat(client.readAll("app-x", 1, 0, server.incarnation()).batches()).hasSize(1);

    registry.removed.add(key("app-x", 1));
    server.awaitExit().get(30, TimeUnit.SECONDS);
    assertThat(registry.exits).singleElement().satisfies(e -> {
      assertThat(e.getIncarnation()).isEqualTo(41);
      assertThat(e.getDataPort()).isEqualTo(server.dataPort());
    });
    Await.until(WAIT, "closed", () -> server.state() == Lifecycle.State.CLOSED);
  }

  @Test
  void aGoodbyeRefusedBecauseTheDrainWasCancelledKeepsTheServerServing() throws Exception {
    registry.cancelDrainOnExit.set(true);
    registry.draining.set(true);
    Await.until(WAIT, "the drained goodbye", () -> !registry.exits.isEmpty());
    assertThat(registry.exits.get(0).getDrained()).isTrue();
    int beats = registry.heartbeats.size();
    Await.until(WAIT, "heartbeats after the refused goodbye",
        () -> registry.heartbeats.size() > beats + 2);
    assertThat(server.awaitExit()).as("still running").isNotDone();
    assertThat(server.state()).isEqualTo(Lifecycle.State.RUNNING);
    assertThat(registry.exits).hasSize(1);
    assertThat(push("app-y", 1, 0, 1000).isOk()).isTrue();
  }

  /**
   * A configured data directory that cannot be used at start (here a file where it should be) is
   * reported unhealthy in registration and heartbeats: it was left out, and the server looked
   * healthy with less capacity. The other directory serves.
   */
  @Test
  void aDataDirectoryUnusableAtStartIsReportedUnhealthy() throws Exception {
    server.close();
    Path notADir = TestDirs.create("registry-file").resolve("not-a-dir");
    Files.writeString(notADir, "x");
    DovetailConf two = conf.copy().set(StorageConfig.DIRS.key(), dir + "," + notADir);
    server = TestServers.start(two);
    client.close();
    client = new DataPlaneClient(two, "127.0.0.1", server.dataPort());
    Await.until(WAIT, "a registration of the restarted server",
        () -> registry.registrations.size() >= 2);
    RegisterServerRequest reg = registry.registrations.get(registry.registrations.size() - 1);
    assertThat(reg.getDisksList()).hasSize(2);
    assertThat(reg.getDisksList()).filteredOn(DiskStatus::getHealthy)
        .singleElement().satisfies(d -> assertThat(d.getPath()).isEqualTo(dir.toString()));
    assertThat(push("app-z", 1, 0, 1000).isOk()).isTrue();
  }

  @Test
  void restartReportsSealedFilesAndDeletesTheDiscardedOnes() {
    assertThat(push("app-k", 1, 0, 2000).isOk()).isTrue();
    assertThat(push("app-k", 1, 1, 3000).isOk()).isTrue();
    client.seal("app-k", 1, 0, 1);
    client.close();
    server.close();
    registry.discard.add(SealedPartition.newBuilder().setAppId("app-k").setShuffleId(1)
        .setPartition(1).setEpoch(0).build());

    server = TestServers.start(conf);
    client = new DataPlaneClient(conf, "127.0.0.1", server.dataPort());
    assertThat(server.incarnation()).isEqualTo(42);
    assertThat(registry.registrations.get(1).getSealedList())
        .extracting(SealedPartition::getPartition, SealedPartition::getIncarnation)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, 41L),
            org.assertj.core.groups.Tuple.tuple(1, 41L));
    Await.until(WAIT, "the discarded file is deleted",
        () -> !Files.exists(dir.resolve("app-k/1/1-0.data"))
            && !Files.exists(dir.resolve("app-k/1/1-0.index")));
    assertThat(client.readAll("app-k", 1, 0, 42).batches()).hasSize(1);
    assertThatThrownBy(() -> client.open("app-k", 1, 1, 42, 0, 10, null, null))
        .hasMessageContaining("UNKNOWN_PARTITION");
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
