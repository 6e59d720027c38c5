package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.metadata.MetadataConfig;
import io.dovetail.metadata.MetadataServer;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.StorageRegistryGrpc;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.MetricsScrape;
import io.dovetail.testkit.TestDirs;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code drain --wait} against a real metadata server, storage servers played over gRPC. */
class DrainCommandTest {
  private static final String POLLS =
      "dovetail_rpc_calls_total{code=\"NONE\",method=\"GetClusterStatus\"}";

  /**
   * A server restarted while draining is a new incarnation that goes on draining: the command
   * follows it and returns when it exits (it failed, saying the server died while draining).
   */
  @Test
  void waitFollowsAServerRestartedWhileDrainingUntilItExits() throws Exception {
    try (MetadataServer metadata = new MetadataServer(conf("drain-command")).start();
        Registry registry = new Registry(metadata, 7000)) {
      long first = registry.register();
      CompletableFuture<CliRun> drain = drainAndWait(metadata, 7000);
      Await.until(Duration.ofSeconds(30), "the command drains and waits",
          () -> state(metadata, first) == ServerState.DRAINING && polls(metadata) >= 1);

      long second = registry.register();
      assertThat(state(metadata, first)).isEqualTo(ServerState.DEAD);
      assertThat(state(metadata, second)).isEqualTo(ServerState.DRAINING);
      awaitTwoPolls(metadata, drain, "the command looks at the restarted server twice");
      assertThat(drain).as("still waiting").isNotDone();

      registry.exit(second);
      CliRun r = drain.get(60, TimeUnit.SECONDS);
      assertThat(r.status()).as("status; err: %s", r.err()).isZero();
      assertThat(r.out()).contains("127.0.0.1:7000 has exited.");
    }
  }

  /**
   * A server that crashes while draining is declared DEAD; its drain is kept for the address,
   * so the command waits for it to come back and finish (it gave up at DEAD).
   */
  @Test
  void waitOutlastsACrashOfTheDrainingServer() throws Exception {
    DovetailConf conf = conf("drain-crash")
        .set(MetadataConfig.SERVER_HEARTBEAT_INTERVAL.key(), "250ms")
        .set(MetadataConfig.SERVER_HEARTBEAT_TIMEOUT.key(), "1s")
        .set(MetadataConfig.SERVER_RETENTION.key(), "1s")
        .set(MetadataConfig.MAINTENANCE_INTERVAL.key(), "50ms");
    try (MetadataServer metadata = new MetadataServer(conf).start();
        Registry registry = new Registry(metadata, 7001)) {
      long first = registry.register();
      CompletableFuture<CliRun> drain = drainAndWait(metadata, 7001);
      // No heartbeats: the drained server is declared dead.
      Await.until(Duration.ofSeconds(30), "the drained server is declared dead",
          () -> state(metadata, first) == ServerState.DEAD);
      awaitTwoPolls(metadata, drain, "the command looks at the dead server twice");
      assertThat(drain).as("still waiting").isNotDone();
      // Past its retention the dead incarnation is forgotten: that is no exit either.
      Await.until(Duration.ofSeconds(30), "the dead incarnation is forgotten",
          () -> metadata.state().server(first).isEmpty());
      awaitTwoPolls(metadata, drain, "the command looks twice more");
      assertThat(drain).as("still waiting").isNotDone();

      long second = registry.register();
      assertThat(state(metadata, second)).isEqualTo(ServerState.DRAINING);
      registry.exit(second);
      CliRun r = drain.get(60, TimeUnit.SECONDS);
      assertThat(r.status()).as("status; err: %s", r.err()).isZero();
      assertThat(r.out()).contains("died while draining", "127.0.0.1:7001 has exited.");
    }
  }

  /**
   * {@code undrain} cancels a drain: the server hears ACTIVE in its next heartbeat, and a
   * {@code drain --wait} waiting on it fails saying so; with nothing to cancel it fails.
   */
  @Test
  void undrainMakesTheServerActiveAndEndsAWaitingDrain() throws Exception {
    try (MetadataServer metadata = new MetadataServer(conf("undrain")).start();
        Registry registry = new Registry(metadata, 7002)) {
      long inc = registry.register();
      CompletableFuture<CliRun> drain = drainAndWait(metadata, 7002);
      Await.until(Duration.ofSeconds(30), "the command drains and waits",
          () -> state(metadata, inc) == ServerState.DRAINING && polls(metadata) >= 1);
      assertThat(registry.heartbeat(inc)).isEqualTo(ServerState.DRAINING);

      CliRun undrain = CliRun.of("undrain", "--metadata", "127.0.0.1:" + metadata.port(),
          "127.0.0.1:7002");
      assertThat(undrain.status()).as("status; err: %s", undrain.err()).isZero();
      assertThat(undrain.out()).contains("127.0.0.1:7002 (incarnation " + inc + ") is ACTIVE");
      assertThat(registry.heartbeat(inc)).isEqualTo(ServerState.ACTIVE);
      CliRun waited = drain.get(60, TimeUnit.SECONDS);
      assertThat(waited.status()).isEqualTo(1);
      assertThat(waited.err()).contains("127.0.0.1:7002 is ACTIVE again");

      CliRun nothing = CliRun.of("undrain", "--metadata", "127.0.0.1:" + metadata.port(),
          "127.0.0.1:7999");
      assertThat(nothing.status()).isEqualTo(1);
      assertThat(nothing.err()).contains("cannot undrain 127.0.0.1:7999", "UNKNOWN_SERVER");
    }
  }

  private static DovetailConf conf(String name) {
    return new DovetailConf()
        .set(MetadataConfig.HOST.key(), "127.0.0.1")
        .set(MetadataConfig.PORT.key(), "0")
        .set(MetadataConfig.METRICS_PORT.key(), "0")
        .set(MetadataConfig.THREADS.key(), "2")
        .set(MetadataConfig.DB_DIR.key(), TestDirs.create(name).toString());
  }

  /** {@code dovetail drain --wait 127.0.0.1:port}, running. */
  private static CompletableFuture<CliRun> drainAndWait(MetadataServer metadata, int port) {
    return CompletableFuture.supplyAsync(() -> CliRun.of("drain", "--metadata",
        "127.0.0.1:" + metadata.port(), "--wait", "--timeout", "120", "127.0.0.1:" + port));
  }

  /** Until the command has polled the cluster status twice more (or ended). */
  private static void awaitTwoPolls(MetadataServer metadata, CompletableFuture<CliRun> drain,
      String what) {
    double seen = polls(metadata);
    Await.until(Duration.ofSeconds(30), what,
        () -> polls(metadata) >= seen + 2 || drain.isDone());
  }

  /** Plays the storage server at 127.0.0.1:port over the registry service. */
  private static final class Registry implements AutoCloseable {
    private final ManagedChannel channel;
    private final StorageRegistryGrpc.StorageRegistryBlockingStub stub;
    private final int port;

    Registry(MetadataServer metadata, int port) {
      this.channel = Rpc.channel(new HostPort("127.0.0.1", metadata.port()), new DovetailConf());
      this.stub = StorageRegistryGrpc.newBlockingStub(channel);
      this.port = port;
    }

    long register() {
      return stub.withDeadlineAfter(30, TimeUnit.SECONDS).registerServer(RegisterServerRequest
          .newBuilder().setHost("127.0.0.1").setDataPort(port).setMemoryLimitBytes(1 << 30)
          .build()).getIncarnation();
    }

    ServerState heartbeat(long incarnation) {
      return stub.withDeadlineAfter(30, TimeUnit.SECONDS).serverHeartbeat(ServerHeartbeatRequest
          .newBuilder().setHost("127.0.0.1").setDataPort(port).setIncarnation(incarnation)
          .build()).getState();
    }

    void exit(long incarnation) {
      stub.withDeadlineAfter(30, TimeUnit.SECONDS).serverExit(ServerExitRequest.newBuilder()
          .setHost("127.0.0.1").setDataPort(port).setIncarnation(incarnation).build());
    }

    @Override
    public void close() {
      Rpc.shutdown(channel);
    }
  }

  private static ServerState state(MetadataServer metadata, long incarnation) {
    return metadata.state().server(incarnation).map(ServerInfo::getState).orElse(null);
  }

  private static double polls(MetadataServer metadata) {
    return MetricsScrape.of(metadata.metricsPort()).valueOr(POLLS, 0);
  }
}
