package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterServerResponse;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.proto.UndrainServerRequest;
import io.dovetail.proto.UnregisterShuffleRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Incarnations, liveness, draining, exit and re-adoption of sealed files. */
class ServerLifecycleTest {
  private final StateFixture f = new StateFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private ServerState state(long incarnation) {
    return f.state.server(incarnation).map(ServerInfo::getState).orElse(null);
  }

  @Test
  void everyRegistrationGetsANewIncarnationAndReplacesTheOldOne() {
    long first = f.register("h1", 7000);
    long other = f.register("h2", 7000);
    long second = f.register("h1", 7000);
    assertThat(second).isGreaterThan(other).isGreaterThan(first);
    assertThat(state(first)).isEqualTo(ServerState.DEAD);
    assertThat(state(second)).isEqualTo(ServerState.ACTIVE);
    assertThat(state(other)).isEqualTo(ServerState.ACTIVE);
    assertThat(f.heartbeat("h1", 7000, first).getReregister()).isTrue();
    assertThat(f.heartbeat("h1", 7000, second).getReregister()).isFalse();
  }

  @Test
  void heartbeatFromUnknownOrMismatchedIncarnationAsksToReregister() {
    long inc = f.register("h1", 7000);
    ServerHeartbeatResponse unknown = f.heartbeat("h1", 7000, inc + 100);
    assertThat(unknown.getReregister()).isTrue();
    assertThat(f.heartbeat("h2", 7000, inc).getReregister()).isTrue();
    assertThat(f.heartbeat("h1", 7001, inc).getReregister()).isTrue();
    ServerHeartbeatResponse ok = f.heartbeat("h1", 7000, inc);
    assertThat(ok.getReregister()).isFalse();
    assertThat(ok.getState()).isEqualTo(ServerState.ACTIVE);
  }

  @Test
  void silentServerBecomesDeadAfterTheTimeoutOnly() {
    long quiet = f.register("h1", 7000);
    long chatty = f.register("h2", 7000);
    f.clock.advance(StateFixture.TIMEOUT.minusSeconds(1));
    f.heartbeat("h2", 7000, chatty);
    assertThat(f.state.runMaintenance().deadServers()).isEmpty();
    f.clock.advance(Duration.ofSeconds(2));
    List<ServerInfo> dead = f.state.runMaintenance().deadServers();
    assertThat(dead).extracting(ServerInfo::getIncarnation).containsExactly(quiet);
    assertThat(state(quiet)).isEqualTo(ServerState.DEAD);
    assertThat(state(chatty)).isEqualTo(ServerState.ACTIVE);
    ServerHeartbeatResponse late = f.heartbeat("h1", 7000, quiet);
    assertThat(late.getReregister()).isTrue();
    assertThat(late.getState()).isEqualTo(ServerState.DEAD);
  }

  @Test
  void afterAPauseOfThisProcessSilenceIsForgivenOnceNotForever() {
    long a = f.register("h1", 7000);
    long drained = f.register("h2", 7000);
    long gone = f.register("h3", 7000);
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h2").setDataPort(7000).build());
    f.state.serverExit(ServerExitRequest.newBuilder().setHost("h3").setDataPort(7000)
        .setIncarnation(gone).build());
    f.app("app-paused");
    f.clock.advance(Duration.ofMillis(StateFixture.TIMEOUT.toMillis() + 400_000));

    f.state.forgiveSilence(400_000);
    MetadataState.MaintenanceResult after = f.state.runMaintenance();
    assertThat(after.deadServers()).isEmpty();
    assertThat(after.expiredApps()).isEmpty();
    assertThat(state(a)).isEqualTo(ServerState.ACTIVE);
    assertThat(state(drained)).isEqualTo(ServerState.DRAINING);
    assertThat(state(gone)).isEqualTo(ServerState.EXITED);
    assertThat(f.heartbeat("h1", 7000, a).getReregister()).isFalse();

    // Forgiven from the moment of the pause on: silent past the timeout again, they are dead.
    f.clock.advance(Duration.ofDays(1));
    assertThat(f.state.runMaintenance().deadServers()).extracting(ServerInfo::getIncarnation)
        .containsExactlyInAnyOrder(a, drained);
    assertThat(f.state.applications()).doesNotContain("app-paused");
  }

  @Test
  void restartOfTheMetadataServerGivesEveryLiveServerAFreshGracePeriod() {
    long a = f.register("h1", 7000);
    long b = f.register("h2", 7000);
    f.clock.advance(StateFixture.TIMEOUT.plusSeconds(5));
    f.heartbeat("h2", 7000, b);
    f.state.runMaintenance();
    assertThat(state(a)).isEqualTo(ServerState.DEAD);
    long c = f.register("h3", 7000);
    f.clock.advance(StateFixture.TIMEOUT.minusSeconds(1));

    f.reopen();
    f.clock.advance(StateFixture.TIMEOUT.minusSeconds(1));
    assertThat(f.state.runMaintenance().deadServers()).isEmpty();
    assertThat(state(a)).isEqualTo(ServerState.DEAD);
    assertThat(state(b)).isEqualTo(ServerState.ACTIVE);
    assertThat(state(c)).isEqualTo(ServerState.ACTIVE);
    assertThat(f.heartbeat("h2", 7000, b).getReregister()).isFalse();
    assertThat(f.heartbeat("h1", 7000, a).getReregister()).isTrue();
    f.clock.advance(Duration.ofSeconds(2));
    assertThat(f.state.runMaintenance().deadServers()).extracting(ServerInfo::getIncarnation)
        .containsExactly(c);
  }

  @Test
  void incarnationsKeepIncreasingAcrossRestarts() {
    long before = f.register("h1", 7000);
    f.reopen();
    long after = f.register("h1", 7000);
    assertThat(after).isGreaterThan(before);
    assertThat(state(before)).isEqualTo(ServerState.DEAD);
    f.reopen();
    assertThat(f.register("h2", 7000)).isGreaterThan(after);
  }

  @Test
  void aServerReportingMoreDisksThanAStartCanLoadIsRefusedAndTheStateStillLoads() {
    RegisterServerRequest.Builder many = RegisterServerRequest.newBuilder().setHost("h1")
        .setDataPort(7000).setMemoryLimitBytes(1 << 30);
    for (int i = 0; i < Codec.MAX_DISKS; i++) {
      many.addDisks(StateFixture.disk(1 << 30));
    }
    long inc = f.register(many.build());
    many.addDisks(StateFixture.disk(1 << 30));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.register(many.build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.state.serverHeartbeat(
        ServerHeartbeatRequest.newBuilder().setHost("h1").setDataPort(7000)
            .setIncarnation(inc).addAllDisks(many.getDisksList()).build()));
    f.reopen();
    assertThat(f.state.server(inc)).isPresent();
  }

  @Test
  void drainingServerGetsNoNewPartitionsAndHearsItsState() {
    List<Long> ids = f.servers(3);
    ServerInfo drained = f.state.drainServer(DrainServerRequest.newBuilder().setHost("h2")
        .setDataPort(7000).build()).getServer();
    assertThat(drained.getIncarnation()).isEqualTo(ids.get(1));
    assertThat(drained.getState()).isEqualTo(ServerState.DRAINING);
    assertThat(f.heartbeat("h2", 7000, ids.get(1)).getState()).isEqualTo(ServerState.DRAINING);
    f.app("app");
    ShuffleLayout layout = f.shuffle("app", 0, 1, 50, 2);
    for (int p = 0; p < 50; p++) {
      assertThat(StateFixture.servers(layout, p, 0)).doesNotContain(ids.get(1));
    }
    // Idempotent; survives a restart; a restart of the server itself keeps draining.
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h2").setDataPort(7000).build());
    f.reopen();
    assertThat(state(ids.get(1))).isEqualTo(ServerState.DRAINING);
    long restarted = f.register("h2", 7000);
    assertThat(state(restarted)).isEqualTo(ServerState.DRAINING);
    assertCode(ErrorCode.UNKNOWN_SERVER, () -> f.state.drainServer(DrainServerRequest
        .newBuilder().setHost("nowhere").setDataPort(7000).build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.state.drainServer(DrainServerRequest
        .newBuilder().setHost("h2").setDataPort(0).build()));
  }

  /**
   * Draining is the operator's intent for the address until the server exits cleanly: a
   * draining server that crashes (declared DEAD) comes back DRAINING, also after the metadata
   * server restarts (it came back ACTIVE and took new partitions); once it exited cleanly, a new
   * start is ACTIVE.
   */
  @Test
  void aDrainOutlivesACrashAndEndsWithACleanExit() {
    long first = f.register("h1", 7000);
    f.register("h2", 7000);
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h1").setDataPort(7000).build());
    f.clock.advance(StateFixture.TIMEOUT.plusSeconds(1));
    f.heartbeat("h2", 7000, latest("h2"));
    assertThat(f.state.runMaintenance().deadServers()).extracting(ServerInfo::getIncarnation)
        .contains(first);
    f.reopen();
    long second = f.register("h1", 7000);
    assertThat(state(second)).as("back from a crash").isEqualTo(ServerState.DRAINING);
    f.state.serverExit(ServerExitRequest.newBuilder().setHost("h1").setDataPort(7000)
        .setIncarnation(second).build());
    assertThat(state(second)).isEqualTo(ServerState.EXITED);
    f.reopen();
    long third = f.register("h1", 7000);
    assertThat(state(third)).as("started again after the drain ended").isEqualTo(ServerState.ACTIVE);
  }

  /**
   * An operator who drained the wrong server cancels it: the server is ACTIVE and takes new
   * partitions again, the intent is gone from the store, and a goodbye already on its way (the
   * server saw DRAINING and held nothing) is refused so that the server stays.
   */
  @Test
  void aCancelledDrainMakesTheServerActiveAgainAndRefusesItsDrainedGoodbye() {
    List<Long> ids = f.servers(2);
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h2").setDataPort(7000).build());
    ServerInfo undrained = f.state.undrainServer(UndrainServerRequest.newBuilder().setHost("h2")
        .setDataPort(7000).build()).getServer();
    assertThat(undrained.getIncarnation()).isEqualTo(ids.get(1));
    assertThat(undrained.getState()).isEqualTo(ServerState.ACTIVE);
    assertThat(f.heartbeat("h2", 7000, ids.get(1)).getState()).isEqualTo(ServerState.ACTIVE);
    f.app("app");
    ShuffleLayout layout = f.shuffle("app", 0, 1, 8, 2);
    for (int p = 0; p < 8; p++) {
      assertThat(StateFixture.servers(layout, p, 0)).contains(ids.get(1));
    }
    // Idempotent on an ACTIVE server.
    assertThat(f.state.undrainServer(UndrainServerRequest.newBuilder().setHost("h2")
        .setDataPort(7000).build()).getServer().getState()).isEqualTo(ServerState.ACTIVE);

    // The goodbye of a drain that was cancelled meanwhile: refused, the server stays.
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h1").setDataPort(7000).build());
    f.state.undrainServer(UndrainServerRequest.newBuilder().setHost("h1").setDataPort(7000)
        .build());
    ServerExitRequest drainedExit = ServerExitRequest.newBuilder().setHost("h1").setDataPort(7000)
        .setIncarnation(ids.get(0)).setDrained(true).build();
    assertThat(f.state.serverExit(drainedExit).getKeepServing()).isTrue();
    assertThat(state(ids.get(0))).isEqualTo(ServerState.ACTIVE);

    // Neither the intent nor the state comes back with a restart of either side.
    f.reopen();
    assertThat(state(ids.get(0))).isEqualTo(ServerState.ACTIVE);
    assertThat(state(ids.get(1))).isEqualTo(ServerState.ACTIVE);
    assertThat(state(f.register("h2", 7000))).isEqualTo(ServerState.ACTIVE);

    // A drained goodbye while still draining exits as before.
    long h1 = latest("h1");
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h1").setDataPort(7000).build());
    assertThat(f.state.serverExit(drainedExit.toBuilder().setIncarnation(h1).build())
        .getKeepServing()).isFalse();
    assertThat(state(h1)).isEqualTo(ServerState.EXITED);
  }

  @Test
  void cancellingTheDrainOfAServerThatDiedDrainingMakesItsNextStartActive() {
    long first = f.register("h1", 7000);
    f.register("h2", 7000);
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h1").setDataPort(7000).build());
    f.clock.advance(StateFixture.TIMEOUT.plusSeconds(1));
    f.heartbeat("h2", 7000, latest("h2"));
    f.state.runMaintenance();
    assertThat(state(first)).isEqualTo(ServerState.DEAD);

    assertThat(f.state.undrainServer(UndrainServerRequest.newBuilder().setHost("h1")
        .setDataPort(7000).build()).hasServer()).as("no live incarnation").isFalse();
    f.reopen();
    assertThat(state(f.register("h1", 7000))).isEqualTo(ServerState.ACTIVE);

    // Nothing to cancel: no live server and no drain at the address.
    assertCode(ErrorCode.UNKNOWN_SERVER, () -> f.state.undrainServer(UndrainServerRequest
        .newBuilder().setHost("h3").setDataPort(7000).build()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.state.undrainServer(UndrainServerRequest
        .newBuilder().setHost("h1").setDataPort(-1).build()));
  }

  private long latest(String host) {
    return f.state.clusterStatus().getServersList().stream().map(s -> s.getServer())
        .filter(s -> s.getHost().equals(host))
        .mapToLong(ServerInfo::getIncarnation).max().orElseThrow();
  }

  @Test
  void exitedServerIsForgottenOnceUnreferencedAndPastRetention() {
    long inc = f.register("h1", 7000);
    ServerExitRequest exit = ServerExitRequest.newBuilder().setHost("h1").setDataPort(7000)
        .setIncarnation(inc).build();
    f.state.serverExit(exit);
    assertThat(state(inc)).isEqualTo(ServerState.EXITED);
    assertThat(f.heartbeat("h1", 7000, inc).getReregister()).isTrue();
    f.state.serverExit(exit); // a retried goodbye is fine
    f.clock.advance(Duration.ofMillis(f.settings.serverRetentionMs() + 1));
    f.state.runMaintenance();
    assertThat(f.state.server(inc)).isEmpty();
    assertCode(ErrorCode.UNKNOWN_SERVER, () -> f.state.serverExit(exit));
  }

  @Test
  void deadServerNamedByALocationIsRemembered() {
    List<Long> ids = f.servers(1);
    f.state.registerApplication(RegisterApplicationRequest.newBuilder().setAppId("app")
        .setTtlMs(Duration.ofDays(1).toMillis()).build());
    f.shuffle("app", 0, 1, 4, 1);
    assertThat(f.state.copiesOn(ids.get(0))).isEqualTo(4);
    f.clock.advance(Duration.ofMillis(f.settings.serverRetentionMs() + 1));
    f.state.runMaintenance();
    f.clock.advance(Duration.ofMillis(f.settings.serverRetentionMs() + 1));
    f.state.runMaintenance();
    assertThat(state(ids.get(0))).isEqualTo(ServerState.DEAD);
    assertThat(f.layout("app", 0).getServers(0).getState()).isEqualTo(ServerState.DEAD);

    f.state.unregisterShuffle(UnregisterShuffleRequest.newBuilder().setAppId("app")
        .setShuffleId(0).build());
    assertThat(f.state.copiesOn(ids.get(0))).isZero();
    f.state.runMaintenance();
    assertThat(f.state.server(ids.get(0))).isEmpty();
  }

  private static SealedPartition sealed(String app, int shuffle, int partition, int epoch,
      long writer) {
    return SealedPartition.newBuilder().setAppId(app).setShuffleId(shuffle)
        .setPartition(partition).setEpoch(epoch).setIncarnation(writer).setBytes(10).build();
  }

  @Test
  void restartedServerReadoptsItsSealedFilesAndDiscardsTheRest() {
    long h1 = f.register("h1", 7000);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 2, 2, 1);
    assertThat(StateFixture.servers(before, 0, 0)).containsExactly(h1);

    RegisterServerResponse resp = f.state.registerServer(RegisterServerRequest.newBuilder()
        .setHost("h1").setDataPort(7000)
        .addSealed(sealed("app", 0, 0, 0, h1))
        .addSealed(sealed("app", 0, 1, 3, h1))      // no such epoch
        .addSealed(sealed("app", 7, 0, 0, h1))      // unknown shuffle
        .addSealed(sealed("gone-app", 0, 0, 0, h1)) // unknown application
        .build());
    long h1b = resp.getIncarnation();
    assertThat(resp.getDiscardList()).extracting(SealedPartition::getAppId,
        SealedPartition::getShuffleId, SealedPartition::getEpoch)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("app", 0, 3),
            org.assertj.core.groups.Tuple.tuple("app", 7, 0),
            org.assertj.core.groups.Tuple.tuple("gone-app", 0, 0));
    ShuffleLayout after = f.layout("app", 0);
    assertThat(after.getLayoutVersion()).isGreaterThan(before.getLayoutVersion());
    assertThat(StateFixture.servers(after, 0, 0)).containsExactly(h1b);
    assertThat(StateFixture.serverOf(after.getServersList(), h1b).getState())
        .isEqualTo(ServerState.ACTIVE);
    // Partition 1's file was not listed: its location still names the dead incarnation.
    assertThat(StateFixture.servers(after, 1, 0)).containsExactly(h1);
    assertThat(StateFixture.serverOf(after.getServersList(), h1).getState())
        .isEqualTo(ServerState.DEAD);
    assertThat(f.state.copiesOn(h1b)).isEqualTo(1);

    // A second restart lists the same file, still written by the first incarnation.
    long h1c = f.state.registerServer(RegisterServerRequest.newBuilder().setHost("h1")
        .setDataPort(7000).addSealed(sealed("app", 0, 0, 0, h1)).build()).getIncarnation();
    assertThat(StateFixture.servers(f.layout("app", 0), 0, 0)).containsExactly(h1c);

    // Another address cannot adopt it.
    RegisterServerResponse thief = f.state.registerServer(RegisterServerRequest.newBuilder()
        .setHost("h9").setDataPort(7000).addSealed(sealed("app", 0, 0, 0, h1)).build());
    assertThat(thief.getDiscardCount()).isEqualTo(1);
    assertThat(StateFixture.servers(f.layout("app", 0), 0, 0)).containsExactly(h1c);
  }

  @Test
  void invalidRegistrationsAreRejected() {
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.register("", 7000));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.register("h1", 0));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.register("h1", 70000));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.register("bad host", 7000));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.register(RegisterServerRequest.newBuilder()
        .setHost("h1").setDataPort(7000).setMemoryLimitBytes(-1).build()));
    assertThat(f.state.clusterStatus().getServersCount()).isZero();
  }
}
