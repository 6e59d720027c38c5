package io.dovetail.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetPartitionSizesResponse;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.MetadataServiceGrpc;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ShuffleKey;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.proto.StorageRegistryGrpc;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.JavaProcess;
import io.dovetail.testkit.PortFile;
import io.dovetail.testkit.TestDirs;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The metadata server as a real process: state answered before {@code kill -9} is all there after
 * a restart on the same store (invariant 4), and SIGTERM closes it cleanly.
 */
class MetadataServerProcessIT {
  private static final String SECRET = "it-secret";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dbDir = TestDirs.create("metadata-it-db");
  private final DovetailConf clientConf = new DovetailConf()
      .set(CommonConfig.AUTH_SECRET.key(), SECRET);

  private JavaProcess start(Path portFile, String... extraArgs) {
    return JavaProcess.builder(MetadataServerMain.class.getName())
        .name("metadata-server")
        .args("-c", "dovetail.metadata.host=127.0.0.1", "-c", "dovetail.metadata.port=0",
            "-c", "dovetail.metadata.dbDir=" + dbDir, "-c", "dovetail.auth.secret=" + SECRET,
            "--port-file", portFile.toString())
        .args(extraArgs)
        .maxHeap("256m")
        .start();
  }

  @Test
  void aPauseOfTheMetadataServerDoesNotDeclareTheClusterDead() throws Exception {
    Path portFile = dbDir.resolveSibling(dbDir.getFileName() + ".paused");
    try (JavaProcess server = start(portFile,
        "-c", "dovetail.metadata.server.heartbeatInterval=500ms",
        "-c", "dovetail.metadata.server.heartbeatTimeout=5s",
        "-c", "dovetail.metadata.app.heartbeatInterval=500ms",
        "-c", "dovetail.metadata.app.ttl=5s",
        "-c", "dovetail.metadata.maintenanceInterval=100ms")) {
      int port = PortFile.await(portFile, server, START_TIMEOUT);
      withStubs(port, s -> {
        long inc = s.registry().registerServer(RegisterServerRequest.newBuilder()
            .setHost("10.0.0.1").setDataPort(7000).build()).getIncarnation();
        s.meta().registerApplication(RegisterApplicationRequest.newBuilder()
            .setAppId("app-paused").build());
        int logBefore = server.log().length();
        try {
          // The pause under test: more than twice the heartbeat timeout and the TTL, as a long GC
          // or a frozen VM would be. Nobody can heartbeat to a stopped process.
          server.signal("STOP");
          Thread.sleep(12_000);
          server.signal("CONT");
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        // Only what the server logged after the pause: a late pass before it proves nothing.
        Await.until(Duration.ofSeconds(30), "a maintenance pass after the pause", () -> {
          String after = server.log().substring(logBefore);
          return after.contains("was paused") || after.contains("is DEAD");
        });
        // Heartbeats first: the forgiven silence restarts the 5 s deadlines, not more.
        ServerHeartbeatResponse beat = s.registry().serverHeartbeat(ServerHeartbeatRequest
            .newBuilder().setHost("10.0.0.1").setDataPort(7000).setIncarnation(inc).build());
        s.meta().applicationHeartbeat(ApplicationHeartbeatRequest.newBuilder()
            .setAppId("app-paused").build());
        assertThat(server.log().substring(logBefore)).contains("was paused")
            .doesNotContain("is DEAD");
        var status = s.admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
        assertThat(status.getServersList()).singleElement()
            .satisfies(info -> assertThat(info.getServer().getState())
                .isEqualTo(ServerState.ACTIVE));
        assertThat(status.getApplicationsList()).extracting(a -> a.getAppId())
            .containsExactly("app-paused");
        assertThat(beat.getReregister()).isFalse();
      });
    }
  }

  /** Runs {@code calls} against the three services on {@code port}. */
  private void withStubs(int port, Consumer<Stubs> calls) {
    ManagedChannel channel = Rpc.channel(new HostPort("127.0.0.1", port), clientConf);
    try {
      calls.accept(new Stubs(
          MetadataServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS),
          StorageRegistryGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS),
          AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)));
    } finally {
      Rpc.shutdown(channel);
    }
  }

  private record Stubs(MetadataServiceGrpc.MetadataServiceBlockingStub meta,
      StorageRegistryGrpc.StorageRegistryBlockingStub registry,
      AdminServiceGrpc.AdminServiceBlockingStub admin) {}

  /** What must survive, read through the RPCs. */
  private record Snapshot(ShuffleLayout layout, GetPartitionSizesResponse sizes,
      GetReadPlanResponse fullPlan, GetReadPlanResponse mapRangePlan) {}

  private static Snapshot snapshot(Stubs s) {
    return new Snapshot(
        s.meta().getShuffleLayout(GetShuffleLayoutRequest.newBuilder().setAppId("app-it")
            .setShuffleId(5).build()).getLayout(),
        s.meta().getPartitionSizes(GetPartitionSizesRequest.newBuilder().setAppId("app-it")
            .setShuffleId(5).build()),
        s.meta().getReadPlan(GetReadPlanRequest.newBuilder().setAppId("app-it").setShuffleId(5)
            .setStartPartition(0).setEndPartition(4).build()),
        s.meta().getReadPlan(GetReadPlanRequest.newBuilder().setAppId("app-it").setShuffleId(5)
            .setStartPartition(1).setEndPartition(3).setStartMap(1).setEndMap(3).build()));
  }

  private static CommitMapRequest commit(int map, long attempt, int stage, long... bytes) {
    CommitMapRequest.Builder b = CommitMapRequest.newBuilder().setAppId("app-it")
        .setShuffleId(5).setMapIndex(map).setAttemptId(attempt).setStageAttempt(stage);
    for (long v : bytes) {
      b.addPartitionBytes(v).addPartitionRecords(v / 2).addPartitionBatches(1);
    }
    return b.build();
  }

  @Test
  void committedStateSurvivesKillNineAndSigtermClosesCleanly() throws Exception {
    Path portFile1 = dbDir.resolveSibling(dbDir.getFileName() + ".port1");
    long[] incarnations = new long[2];
    Snapshot[] before = new Snapshot[1];
    try (JavaProcess first = start(portFile1)) {
      int port = PortFile.await(portFile1, first, START_TIMEOUT);
      withStubs(port, s -> {
        incarnations[0] = s.registry().registerServer(RegisterServerRequest.newBuilder()
            .setHost("10.0.0.1").setDataPort(7000).build()).getIncarnation();
        incarnations[1] = s.registry().registerServer(RegisterServerRequest.newBuilder()
            .setHost("10.0.0.2").setDataPort(7000).build()).getIncarnation();
        s.meta().registerApplication(RegisterApplicationRequest.newBuilder()
            .setAppId("app-it").build());
        s.meta().registerShuffle(RegisterShuffleRequest.newBuilder().setAppId("app-it")
            .setShuffleId(5).setNumMaps(4).setNumPartitions(4).setReplication(2).build());
        s.meta().reportLocationFailure(ReportLocationFailureRequest.newBuilder()
            .setAppId("app-it").setShuffleId(5)
            .addFailed(PartitionEpoch.newBuilder().setPartition(2).setEpoch(0)).build());
        assertThat(s.meta().commitMap(commit(0, 100, 0, 1, 2, 3, 4)).getCommitted()).isTrue();
        assertThat(s.meta().commitMap(commit(1, 101, 0, 10, 20, 30, 40)).getCommitted())
            .isTrue();
        assertThat(s.meta().commitMap(commit(1, 102, 0, 5, 5, 5, 5)).getCommitted()).isFalse();
        assertThat(s.meta().commitMap(commit(2, 103, 0, 7, 7, 7, 7)).getCommitted()).isTrue();
        assertThat(s.meta().commitMap(commit(2, 203, 1, 8, 8, 8, 8)).getCommitted()).isTrue();
        before[0] = snapshot(s);
      });
      first.kill9();
      assertThat(first.isAlive()).isFalse();
    }
    Snapshot b = before[0];
    assertThat(b.layout().getPartitions(2).getEpochsCount()).isEqualTo(2);
    assertThat(b.sizes().getPartitionBytesList()).containsExactly(19L, 30L, 41L, 52L);

    Path portFile2 = dbDir.resolveSibling(dbDir.getFileName() + ".port2");
    try (JavaProcess second = start(portFile2)) {
      int port = PortFile.await(portFile2, second, START_TIMEOUT);
      withStubs(port, s -> {
        Snapshot after = snapshot(s);
        assertThat(after.layout()).isEqualTo(b.layout());
        assertThat(after.sizes()).isEqualTo(b.sizes());
        assertThat(after.fullPlan()).isEqualTo(b.fullPlan());
        assertThat(after.mapRangePlan()).isEqualTo(b.mapRangePlan());
        assertThat(after.fullPlan().getUncommittedMapsList()).containsExactly(3);

        ServerHeartbeatResponse beat = s.registry().serverHeartbeat(ServerHeartbeatRequest
            .newBuilder().setHost("10.0.0.1").setDataPort(7000).setIncarnation(incarnations[0])
            .addHeld(ShuffleKey.newBuilder().setAppId("app-it").setShuffleId(5)).build());
        assertThat(beat.getReregister()).isFalse();
        assertThat(beat.getState()).isEqualTo(ServerState.ACTIVE);
        assertThat(beat.getRemovedList()).isEmpty();

        long next = s.registry().registerServer(RegisterServerRequest.newBuilder()
            .setHost("10.0.0.3").setDataPort(7000).build()).getIncarnation();
        assertThat(next).isGreaterThan(incarnations[1]);
        assertThat(s.admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
            .getShuffles(0).getCommittedMaps()).isEqualTo(3);
      });

      second.stop(Duration.ofSeconds(30));
      assertThat(second.isAlive()).isFalse();
      assertThat(second.log()).contains("Metadata server closed")
          .contains("Closed metadata store");
    }
    // A killed server cannot remove its port file (the next start does); a stopped one does.
    assertThat(portFile1).exists();
    assertThat(portFile2).doesNotExist();
  }
}
