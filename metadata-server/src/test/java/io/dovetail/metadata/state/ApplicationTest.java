package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterApplicationResponse;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ShuffleKey;
import io.dovetail.proto.UnregisterApplicationRequest;
import io.dovetail.proto.UnregisterShuffleRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Applications: registration, heartbeats, TTL expiry, unregistration, reconciliation. */
class ApplicationTest {
  private final StateFixture f = new StateFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private RegisterApplicationResponse register(String appId, long ttlMs) {
    return f.state.registerApplication(RegisterApplicationRequest.newBuilder().setAppId(appId)
        .setTtlMs(ttlMs).build());
  }

  private void heartbeat(String appId) {
    f.state.applicationHeartbeat(ApplicationHeartbeatRequest.newBuilder().setAppId(appId)
        .build());
  }

  private static ShuffleKey key(String app, int shuffle) {
    return ShuffleKey.newBuilder().setAppId(app).setShuffleId(shuffle).build();
  }

  @Test
  void registrationIsIdempotentAndAnswersTimings() {
    RegisterApplicationResponse r = register("app-1", 0);
    assertThat(r.getTtlMs()).isEqualTo(f.settings.defaultAppTtlMs());
    assertThat(r.getHeartbeatIntervalMs()).isEqualTo(f.settings.appHeartbeatIntervalMs());
    assertThat(register("app-1", 0)).isEqualTo(r);
    assertThat(register("app-1", 60_000).getTtlMs()).isEqualTo(60_000);
    assertThat(f.state.applications()).containsExactly("app-1");
    f.reopen();
    assertThat(f.state.applications()).containsExactly("app-1");
    f.clock.advance(Duration.ofSeconds(61));
    assertThat(f.state.runMaintenance().expiredApps()).containsExactly("app-1");
  }

  @Test
  void invalidApplicationIdsAreRejected() {
    for (String bad : new String[] {"", "../x", "a/b", ".hidden", "x y", "é", "a".repeat(201)}) {
      assertCode(ErrorCode.INVALID_ARGUMENT, () -> register(bad, 0));
    }
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> register("app", -1));
    for (String good : new String[] {"local-1700000000000", "app-20240101123456-0001",
        "application_1700000000000_0001", "spark-7f3a.b_c"}) {
      register(good, 0);
    }
    assertThat(f.state.applications()).hasSize(4);
  }

  @Test
  void aTtlShorterThanTwoHeartbeatsOrLongerThanAWeekIsRefused() {
    long interval = f.settings.appHeartbeatIntervalMs();
    assertThatThrownBy(() -> register("app", 2 * interval - 1))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("ttl_ms").hasMessageContaining(Long.toString(2 * interval - 1))
        .hasMessageContaining("heartbeat interval of " + interval + " ms");
    long week = Duration.ofDays(7).toMillis();
    assertThatThrownBy(() -> register("app", week + 1))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("ttl_ms").hasMessageContaining(Long.toString(week));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> register("app", Long.MAX_VALUE));
    assertThat(f.state.applications()).isEmpty();

    assertThat(register("app", 2 * interval).getTtlMs()).isEqualTo(2 * interval);
    assertThat(register("app", week).getTtlMs()).isEqualTo(week);
    // Registering again with a bad TTL changes nothing.
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> register("app", interval));
    f.clock.advance(Duration.ofDays(6));
    assertThat(f.state.runMaintenance().expiredApps()).isEmpty();
    f.clock.advance(Duration.ofDays(1).plusMillis(1));
    assertThat(f.state.runMaintenance().expiredApps()).containsExactly("app");
  }

  @Test
  void heartbeatsKeepAnApplicationAliveAndSilenceExpiresIt() {
    f.servers(2);
    register("keep", 10_000);
    register("lose", 10_000);
    f.shuffle("lose", 0, 2, 4, 1);
    f.shuffle("lose", 1, 2, 4, 1);
    f.shuffle("keep", 0, 2, 4, 1);
    for (int i = 0; i < 3; i++) {
      f.clock.advance(Duration.ofSeconds(6));
      heartbeat("keep");
      f.heartbeatAll();
      f.state.runMaintenance();
    }
    assertThat(f.state.applications()).containsExactly("keep");
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> heartbeat("lose"));
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> f.layout("lose", 0));
    assertThat(f.layout("keep", 0).getNumPartitions()).isEqualTo(4);
    assertThat(f.state.copiesOn(f.incarnations.get("h1:7000"))
        + f.state.copiesOn(f.incarnations.get("h2:7000"))).isEqualTo(4);
    // Expired for good: a restart does not bring it back.
    f.reopen();
    assertThat(f.state.applications()).containsExactly("keep");
  }

  @Test
  void restartGivesApplicationsAFreshTtl() {
    register("app", 10_000);
    f.clock.advance(Duration.ofSeconds(9));
    f.reopen();
    f.clock.advance(Duration.ofSeconds(9));
    assertThat(f.state.runMaintenance().expiredApps()).isEmpty();
    f.clock.advance(Duration.ofSeconds(2));
    assertThat(f.state.runMaintenance().expiredApps()).containsExactly("app");
  }

  @Test
  void unregisterRemovesStateAndHeartbeatsReportRemovedShuffles() {
    long inc = f.register("h1", 7000);
    register("a1", 0);
    register("a2", 0);
    f.shuffle("a1", 0, 1, 2, 1);
    f.shuffle("a1", 1, 1, 2, 1);
    f.shuffle("a2", 0, 1, 2, 1);
    f.state.unregisterShuffle(UnregisterShuffleRequest.newBuilder().setAppId("a1")
        .setShuffleId(1).build());
    f.state.unregisterApplication(UnregisterApplicationRequest.newBuilder().setAppId("a2")
        .build());

    ServerHeartbeatResponse r = f.state.serverHeartbeat(ServerHeartbeatRequest.newBuilder()
        .setHost("h1").setDataPort(7000).setIncarnation(inc)
        .addHeld(key("a1", 0)).addHeld(key("a1", 1)).addHeld(key("a2", 0))
        .addHeld(key("never", 3)).build());
    assertThat(r.getReregister()).isFalse();
    assertThat(r.getRemovedList()).containsExactly(key("a1", 1), key("a2", 0), key("never", 3));
    assertThat(f.state.copiesOn(inc)).isEqualTo(2);

    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.state.unregisterShuffle(
        UnregisterShuffleRequest.newBuilder().setAppId("a1").setShuffleId(1).build()));
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> f.state.unregisterApplication(
        UnregisterApplicationRequest.newBuilder().setAppId("a2").build()));

    f.reopen();
    assertThat(f.state.applications()).containsExactly("a1");
    assertThat(f.state.copiesOn(inc)).isEqualTo(2);
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.layout("a1", 1));
    // The same ids may be registered again, from scratch.
    register("a2", 0);
    assertThat(f.shuffle("a2", 0, 3, 3, 1).getNumMaps()).isEqualTo(3);
  }
}
