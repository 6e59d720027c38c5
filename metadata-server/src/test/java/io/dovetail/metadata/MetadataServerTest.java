package io.dovetail.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.GrpcErrors;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.common.util.Lifecycle;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.MetadataServiceGrpc;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ServerStatus;
import io.dovetail.proto.ShuffleKey;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.proto.StorageRegistryGrpc;
import io.dovetail.proto.UnregisterApplicationRequest;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.ManualClock;
import io.dovetail.testkit.TestDirs;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server over a real socket on 127.0.0.1: calls, error codes, auth, lifecycle. */
class MetadataServerTest {
  private static final String SECRET = "s3cret";

  private final ManualClock clock = new ManualClock();
  private DovetailConf conf;
  private MetadataServer server;
  private ManagedChannel channel;
  private MetadataServiceGrpc.MetadataServiceBlockingStub meta;
  private StorageRegistryGrpc.StorageRegistryBlockingStub registry;
  private AdminServiceGrpc.AdminServiceBlockingStub admin;

  @BeforeEach
  void start() {
    conf = new DovetailConf()
        .set(MetadataConfig.HOST.key(), "127.0.0.1")
        .set(MetadataConfig.PORT.key(), "0")
        .set(MetadataConfig.DB_DIR.key(), TestDirs.create("metadata-server").toString())
        .set(MetadataConfig.MAINTENANCE_INTERVAL.key(), "20ms")
        .set(MetadataConfig.THREADS.key(), "4")
        .set(CommonConfig.AUTH_SECRET.key(), SECRET);
    server = new MetadataServer(conf, clock).start();
    channel = channel(SECRET);
    meta = MetadataServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    registry = StorageRegistryGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
    admin = AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private ManagedChannel channel(String secret) {
    DovetailConf c = conf.copy().set(CommonConfig.AUTH_SECRET.key(), secret);
    return Rpc.channel(new HostPort("127.0.0.1", server.port()), c);
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      Rpc.shutdown(channel);
    }
    server.close();
  }

  private static void assertCode(ErrorCode code, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(StatusRuntimeException.class).satisfies(e -> {
      DovetailException de = GrpcErrors.fromStatus((StatusRuntimeException) e);
      assertThat(de.code()).as("code of %s", de.getMessage()).isEqualTo(code);
    });
  }

  private long registerServer(String host) {
    return registry.registerServer(RegisterServerRequest.newBuilder().setHost(host)
        .setDataPort(7000).setMemoryLimitBytes(1 << 30).build()).getIncarnation();
  }

  @Test
  void fullHappyPath() {
    long h1 = registerServer("h1");
    long h2 = registerServer("h2");
    assertThat(h2).isGreaterThan(h1);
    meta.registerApplication(RegisterApplicationRequest.newBuilder().setAppId("app-1").build());
    meta.applicationHeartbeat(ApplicationHeartbeatRequest.newBuilder().setAppId("app-1").build());
    ShuffleLayout layout = meta.registerShuffle(RegisterShuffleRequest.newBuilder()
        .setAppId("app-1").setShuffleId(3).setNumMaps(2).setNumPartitions(4).setReplication(2)
        .build()).getLayout();
    assertThat(layout.getPartitionsCount()).isEqualTo(4);
    assertThat(layout.getServersCount()).isEqualTo(2);

    CommitMapResponse c = meta.commitMap(CommitMapRequest.newBuilder().setAppId("app-1")
        .setShuffleId(3).setMapIndex(1).setAttemptId(11)
        .addPartitionBytes(1).addPartitionBytes(2).addPartitionBytes(3).addPartitionBytes(4)
        .build());
    assertThat(c.getCommitted()).isTrue();
    assertThat(meta.getPartitionSizes(GetPartitionSizesRequest.newBuilder().setAppId("app-1")
        .setShuffleId(3).build()).getPartitionBytesList()).containsExactly(1L, 2L, 3L, 4L);
    GetReadPlanResponse plan = meta.getReadPlan(GetReadPlanRequest.newBuilder()
        .setAppId("app-1").setShuffleId(3).setStartPartition(1).setEndPartition(3).build());
    assertThat(plan.getPartitionsList()).extracting(p -> p.getExpectedBytes())
        .containsExactly(2L, 3L);
    assertThat(plan.getUncommittedMapsList()).containsExactly(0);

    assertThat(meta.getShuffleLayout(GetShuffleLayoutRequest.newBuilder().setAppId("app-1")
        .setShuffleId(3).setKnownLayoutVersion(layout.getLayoutVersion()).build())
        .getUnchanged()).isTrue();
    ShuffleLayout moved = meta.reportLocationFailure(ReportLocationFailureRequest.newBuilder()
        .setAppId("app-1").setShuffleId(3)
        .addFailed(PartitionEpoch.newBuilder().setPartition(0).setEpoch(0)).build()).getLayout();
    assertThat(moved.getLayoutVersion()).isGreaterThan(layout.getLayoutVersion());
    assertThat(moved.getPartitions(0).getEpochsCount()).isEqualTo(2);

    var beat = registry.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost("h1")
        .setDataPort(7000).setIncarnation(h1)
        .addHeld(ShuffleKey.newBuilder().setAppId("app-1").setShuffleId(3))
        .addHeld(ShuffleKey.newBuilder().setAppId("app-1").setShuffleId(4)).build());
    assertThat(beat.getReregister()).isFalse();
    assertThat(beat.getRemovedList()).extracting(ShuffleKey::getShuffleId).containsExactly(4);

    GetClusterStatusResponse status = admin.getClusterStatus(
        GetClusterStatusRequest.getDefaultInstance());
    assertThat(status.getServersList()).extracting(s -> s.getServer().getIncarnation())
        .containsExactly(h1, h2);
    assertThat(status.getServersList()).extracting(ServerStatus::getPartitions)
        .allMatch(n -> n >= 4);
    assertThat(status.getShuffles(0).getCommittedMaps()).isEqualTo(1);
    assertThat(status.getShuffles(0).getCommittedBytes()).isEqualTo(10);
    assertThat(status.getApplications(0).getShuffles()).isEqualTo(1);

    assertThat(admin.drainServer(DrainServerRequest.newBuilder().setHost("h2")
        .setDataPort(7000).build()).getServer().getState()).isEqualTo(ServerState.DRAINING);
    registry.serverExit(ServerExitRequest.newBuilder().setHost("h2").setDataPort(7000)
        .setIncarnation(h2).build());
    meta.unregisterApplication(UnregisterApplicationRequest.newBuilder().setAppId("app-1")
        .build());
    assertThat(admin.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getShufflesCount()).isZero();
  }

  @Test
  void invalidRequestsAndUnknownIdsGetTheirErrorCodeAndTheServerStaysUp() {
    registerServer("h1");
    meta.registerApplication(RegisterApplicationRequest.newBuilder().setAppId("app").build());
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> meta.registerApplication(
        RegisterApplicationRequest.newBuilder().setAppId("../../etc").build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> meta.registerApplication(
        RegisterApplicationRequest.getDefaultInstance()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> meta.registerShuffle(
        RegisterShuffleRequest.newBuilder().setAppId("app").setNumPartitions(-1)
            .setReplication(1).build()));
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> meta.applicationHeartbeat(
        ApplicationHeartbeatRequest.newBuilder().setAppId("ghost").build()));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> meta.getShuffleLayout(
        GetShuffleLayoutRequest.newBuilder().setAppId("app").setShuffleId(1).build()));
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> meta.registerShuffle(
        RegisterShuffleRequest.newBuilder().setAppId("app").setNumMaps(1).setNumPartitions(1)
            .setReplication(2).build()));
    meta.registerShuffle(RegisterShuffleRequest.newBuilder().setAppId("app").setNumMaps(1)
        .setNumPartitions(2).setReplication(1).build());
    assertCode(ErrorCode.SHUFFLE_CONFLICT, () -> meta.registerShuffle(
        RegisterShuffleRequest.newBuilder().setAppId("app").setNumMaps(2).setNumPartitions(2)
            .setReplication(1).build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> meta.commitMap(CommitMapRequest.newBuilder()
        .setAppId("app").setMapIndex(0).setAttemptId(1).addPartitionBytes(5).build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> meta.getReadPlan(GetReadPlanRequest
        .newBuilder().setAppId("app").setStartPartition(1).setEndPartition(1).build()));
    assertCode(ErrorCode.UNKNOWN_SERVER, () -> admin.drainServer(DrainServerRequest
        .newBuilder().setHost("nope").setDataPort(1).build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.registerServer(
        RegisterServerRequest.newBuilder().setHost("h").setDataPort(-4).build()));
    assertCode(ErrorCode.UNKNOWN_SERVER, () -> registry.serverExit(ServerExitRequest
        .newBuilder().setHost("h1").setDataPort(7000).setIncarnation(999_999).build()));
    // Still serving.
    assertThat(meta.getShuffleLayout(GetShuffleLayoutRequest.newBuilder().setAppId("app")
        .build()).getLayout().getNumPartitions()).isEqualTo(2);
  }

  @Test
  void wrongOrMissingSecretIsAuthFailedAndTheServerStaysUp() {
    for (String secret : new String[] {"wrong", ""}) {
      ManagedChannel bad = channel(secret);
      try {
        assertCode(ErrorCode.AUTH_FAILED, () -> MetadataServiceGrpc.newBlockingStub(bad)
            .registerApplication(RegisterApplicationRequest.newBuilder().setAppId("x").build()));
      } finally {
        Rpc.shutdown(bad);
      }
    }
    assertThat(server.state().applications()).isEmpty();
    meta.registerApplication(RegisterApplicationRequest.newBuilder().setAppId("x").build());
    assertThat(server.state().applications()).containsExactly("x");
  }

  @Test
  void maintenanceThreadDeclaresSilentServersDeadByTheInjectedClock() {
    long inc = registerServer("h1");
    clock.advance(Duration.ofMinutes(1));
    Await.until(Duration.ofSeconds(30), "h1 declared dead", () -> admin
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getServers(0)
        .getServer().getState() == ServerState.DEAD);
    assertThat(registry.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost("h1")
        .setDataPort(7000).setIncarnation(inc).build()).getReregister()).isTrue();
  }

  @Test
  void lifecycleIsExplicitAndStateSurvivesARestartOfTheServer() {
    assertThat(server.lifecycleState()).isEqualTo(Lifecycle.State.RUNNING);
    assertThatThrownBy(() -> server.start()).isInstanceOf(IllegalStateException.class);
    long inc = registerServer("h1");
    meta.registerApplication(RegisterApplicationRequest.newBuilder().setAppId("app").build());
    Rpc.shutdown(channel);
    channel = null;
    server.close();
    server.close();
    assertThat(server.lifecycleState()).isEqualTo(Lifecycle.State.CLOSED);
    assertThatThrownBy(() -> server.port()).isInstanceOf(IllegalStateException.class);

    server = new MetadataServer(conf, clock).start();
    assertThat(server.state().applications()).containsExactly("app");
    assertThat(server.state().server(inc).orElseThrow().getState()).isEqualTo(ServerState.ACTIVE);
  }

  @Test
  void secondServerOnTheSameStoreFailsToStartAndReleasesEverything() {
    MetadataServer second = new MetadataServer(conf, clock);
    assertThatThrownBy(second::start).isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.STORAGE_IO_ERROR));
    assertThat(second.lifecycleState()).isEqualTo(Lifecycle.State.FAILED);
    second.close();
    assertThat(second.lifecycleState()).isEqualTo(Lifecycle.State.CLOSED);
    // The first one is unaffected.
    assertThat(registerServer("h1")).isPositive();
  }

  @Test
  void invalidConfigurationIsRejectedAtConstruction() {
    assertThatThrownBy(() -> new MetadataServer(conf.copy()
        .set(MetadataConfig.PORT.key(), "99999"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(MetadataConfig.PORT.key());
    assertThatThrownBy(() -> new MetadataServer(conf.copy()
        .set(MetadataConfig.SERVER_HEARTBEAT_TIMEOUT.key(), "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(MetadataConfig.SERVER_HEARTBEAT_TIMEOUT.key());
  }
}
