package io.dovetail.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigEntryTest {

  @Test
  void parsesSizesAndDurationsWithUnits() {
    assertThat(Sizes.parseBytes("512")).isEqualTo(512);
    assertThat(Sizes.parseBytes("64k")).isEqualTo(64 * 1024);
    assertThat(Sizes.parseBytes("16m")).isEqualTo(16L << 20);
    assertThat(Sizes.parseBytes("2GiB")).isEqualTo(2L << 30);
    assertThat(Sizes.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Sizes.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Sizes.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Sizes.parseDuration("1500")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Sizes.formatBytes(1L << 20)).isEqualTo("1m");
    assertThat(Sizes.formatDuration(Duration.ofMinutes(5))).isEqualTo("5m");
  }

  @Test
  void defaultsApplyUntilSetAndBadValuesNameTheKey() {
    DovetailConf conf = new DovetailConf();
    assertThat(conf.get(CommonConfig.CONNECTIONS_PER_PEER)).isEqualTo(2);
    conf.set("dovetail.transport.connectionsPerPeer", "4");
    assertThat(conf.get(CommonConfig.CONNECTIONS_PER_PEER)).isEqualTo(4);

    conf.set("dovetail.transport.connectionsPerPeer", "zero");
    assertThatThrownBy(() -> conf.get(CommonConfig.CONNECTIONS_PER_PEER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dovetail.transport.connectionsPerPeer");

    conf.set("dovetail.transport.connectionsPerPeer", "0");
    assertThatThrownBy(() -> conf.get(CommonConfig.CONNECTIONS_PER_PEER))
        .hasMessageContaining("must be >= 1");
    assertThatThrownBy(() -> conf.set(CommonConfig.IO_MODE, "RDMA"))
        .hasMessageContaining("one of AUTO, EPOLL, NIO");
  }

  @Test
  void transportTimeoutsMustBePositiveAndAConnectTimeoutFitAnInt() {
    for (String bad : new String[] {"0", "0ms"}) {
      DovetailConf conf = new DovetailConf().set(CommonConfig.REQUEST_TIMEOUT.key(), bad);
      assertThatThrownBy(() -> conf.get(CommonConfig.REQUEST_TIMEOUT))
          .hasMessageContaining(CommonConfig.REQUEST_TIMEOUT.key());
    }
    // Netty takes the connect timeout as int milliseconds: 25 days would wrap negative.
    DovetailConf conf = new DovetailConf().set(CommonConfig.CONNECT_TIMEOUT.key(), "25d");
    assertThatThrownBy(() -> conf.get(CommonConfig.CONNECT_TIMEOUT))
        .hasMessageContaining(CommonConfig.CONNECT_TIMEOUT.key());
    conf.set(CommonConfig.CONNECT_TIMEOUT.key(), "5s");
    assertThat(conf.get(CommonConfig.CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
    // The secret travels in a HELLO, which a server reads only up to 10 KiB.
    conf.set(CommonConfig.AUTH_SECRET.key(), "TOPSECRET" + "x".repeat(4097));
    assertThatThrownBy(() -> conf.get(CommonConfig.AUTH_SECRET))
        .hasMessageContaining(CommonConfig.AUTH_SECRET.key())
        .hasMessageNotContaining("TOPSECRET");
  }

  /**
   * Values that parse but would break where they are used: a timeout past what a long of
   * nanoseconds counts (every data-plane connection failed to start), a zero RPC deadline (every
   * control-plane call timed out), a secret gRPC cannot carry (every call failed as wrong
   * credentials while the data plane worked).
   */
  @Test
  void valuesThatWouldBreakWhereTheyAreUsedAreRefusedNamingTheKey() {
    DovetailConf conf = new DovetailConf();
    for (String huge : new String[] {"9223372036854775807", "36600d"}) {
      conf.set(CommonConfig.REQUEST_TIMEOUT.key(), huge);
      assertThatThrownBy(() -> conf.get(CommonConfig.REQUEST_TIMEOUT))
          .hasMessageContaining(CommonConfig.REQUEST_TIMEOUT.key()).hasMessageContaining("days");
    }
    conf.set(CommonConfig.REQUEST_TIMEOUT.key(), "3650d");
    assertThat(conf.get(CommonConfig.REQUEST_TIMEOUT).toNanos()).isPositive();
    conf.set(CommonConfig.RPC_TIMEOUT.key(), "0");
    assertThatThrownBy(() -> conf.get(CommonConfig.RPC_TIMEOUT))
        .hasMessageContaining(CommonConfig.RPC_TIMEOUT.key());
    conf.set(CommonConfig.AUTH_SECRET.key(), "geheim-schl\u00fcssel");
    assertThatThrownBy(() -> conf.get(CommonConfig.AUTH_SECRET))
        .hasMessageContaining(CommonConfig.AUTH_SECRET.key()).hasMessageContaining("ASCII")
        .hasMessageNotContaining("geheim");
    conf.set(CommonConfig.AUTH_SECRET.key(), "plain ASCII s3cret!");
    assertThat(conf.get(CommonConfig.AUTH_SECRET)).isEqualTo("plain ASCII s3cret!");
  }

  @Test
  void sparkPrefixedKeysAreStripped() {
    DovetailConf conf = DovetailConf.fromPrefixed(
        java.util.Map.of("spark.dovetail.auth.secret", "s3", "spark.executor.cores", "1"),
        "spark.");
    assertThat(conf.toMap()).containsOnlyKeys("dovetail.auth.secret");
    assertThat(conf.get(CommonConfig.AUTH_SECRET)).isEqualTo("s3");
  }

  @Test
  void keysMustCarryTheDovetailPrefix() {
    assertThatThrownBy(() -> ConfigEntry.builder("storage.dirs"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void referenceListsEveryEntryOfEveryProviderAndSplicesBetweenMarkers() {
    List<ConfigEntryProvider> providers = ConfigReference.providers();
    assertThat(providers).extracting(ConfigEntryProvider::group).contains("Common (all processes)");
    String md = ConfigReference.markdown(providers);
    for (ConfigEntry<?> e : new CommonConfig().entries()) {
      assertThat(md).contains("`" + e.key() + "`");
    }
    String doc = "before\n" + ConfigReference.BEGIN_MARKER + "\nold\n" + ConfigReference.END_MARKER
        + "\nafter";
    String spliced = ConfigReference.splice(doc, "new\n");
    assertThat(spliced).contains("new").doesNotContain("old").startsWith("before").endsWith("after");
    assertThat(ConfigReference.propertiesTemplate(providers))
        .contains("#dovetail.transport.maxFrameSize=128m");
  }
}
