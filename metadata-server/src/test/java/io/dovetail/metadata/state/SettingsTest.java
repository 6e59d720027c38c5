package io.dovetail.metadata.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.metadata.MetadataConfig;
import org.junit.jupiter.api.Test;

/** The timings must leave room for a missed heartbeat: checked when the settings are read. */
class SettingsTest {

  private static DovetailConf conf(String... keyValues) {
    DovetailConf conf = new DovetailConf();
    for (int i = 0; i < keyValues.length; i += 2) {
      conf.set(keyValues[i], keyValues[i + 1]);
    }
    return conf;
  }

  @Test
  void serverHeartbeatTimeoutBelowTwoIntervalsIsRefusedNamingBothKeys() {
    String interval = MetadataConfig.SERVER_HEARTBEAT_INTERVAL.key();
    String timeout = MetadataConfig.SERVER_HEARTBEAT_TIMEOUT.key();
    assertThatThrownBy(() -> Settings.from(conf(interval, "2s", timeout, "3s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(timeout).hasMessageContaining("3000 ms")
        .hasMessageContaining(interval).hasMessageContaining("2000 ms");
    Settings ok = Settings.from(conf(interval, "2s", timeout, "4s"));
    assertThat(ok.serverHeartbeatTimeoutMs()).isEqualTo(4_000);
  }

  @Test
  void applicationTtlBelowTwoIntervalsIsRefusedNamingBothKeys() {
    String interval = MetadataConfig.APP_HEARTBEAT_INTERVAL.key();
    String ttl = MetadataConfig.APP_TTL.key();
    assertThatThrownBy(() -> Settings.from(conf(ttl, "15s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ttl).hasMessageContaining("15000 ms")
        .hasMessageContaining(interval).hasMessageContaining("10000 ms");
    Settings ok = Settings.from(conf(interval, "1s", ttl, "2s"));
    assertThat(ok.defaultAppTtlMs()).isEqualTo(2_000);
  }

  @Test
  void applicationTtlOfMoreThanAWeekIsRefused() {
    String ttl = MetadataConfig.APP_TTL.key();
    assertThatThrownBy(() -> Settings.from(conf(ttl, "8d")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ttl)
        .hasMessageContaining(Long.toString(Settings.MAX_APP_TTL_MS));
    assertThat(Settings.from(conf(ttl, "7d")).defaultAppTtlMs())
        .isEqualTo(Settings.MAX_APP_TTL_MS);
  }

  @Test
  void theDefaultsAreConsistent() {
    Settings d = Settings.defaults();
    assertThat(d.serverHeartbeatTimeoutMs()).isGreaterThanOrEqualTo(
        2 * d.serverHeartbeatIntervalMs());
    assertThat(d.defaultAppTtlMs()).isGreaterThanOrEqualTo(2 * d.appHeartbeatIntervalMs());
  }
}
