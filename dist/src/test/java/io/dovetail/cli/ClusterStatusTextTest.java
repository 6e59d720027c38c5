package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.proto.ApplicationStatus;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ServerStatus;
import io.dovetail.proto.ShuffleStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClusterStatusTextTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void rendersServersApplicationsAndShuffles() {
    GetClusterStatusResponse status = GetClusterStatusResponse.newBuilder()
        .addServers(ServerStatus.newBuilder()
            .setServer(ServerInfo.newBuilder().setHost("10.0.0.1").setDataPort(9400)
                .setIncarnation(7).setState(ServerState.ACTIVE))
            .addDisks(DiskStatus.newBuilder().setUsedBytes(3L << 30).setUsableBytes(97L << 30)
                .setHealthy(true))
            .setMemoryUsedBytes(1L << 20).setMemoryLimitBytes(1L << 30).setPartitions(12)
            .setLastHeartbeatMs(NOW.toEpochMilli() - 2_000))
        .addServers(ServerStatus.newBuilder()
            .setServer(ServerInfo.newBuilder().setHost("10.0.0.2").setDataPort(9400)
                .setIncarnation(8).setState(ServerState.DRAINING))
            .addDisks(DiskStatus.newBuilder().setHealthy(false)))
        .addApplications(ApplicationStatus.newBuilder().setAppId("app-1").setShuffles(1)
            .setLastHeartbeatMs(NOW.toEpochMilli() - 180_000))
        .addShuffles(ShuffleStatus.newBuilder().setAppId("app-1").setShuffleId(3).setNumMaps(4)
            .setCommittedMaps(2).setNumPartitions(16).setReplication(2)
            .setCommittedBytes(5L << 20))
        .build();
    String text = ClusterStatusText.render(status, NOW);
    assertThat(text).contains("Storage servers: 2 (1 active, 1 draining)",
        "10.0.0.1:9400", "3.0 GiB", "97.0 GiB", "1.0 MiB", "1.0 GiB", "2s ago",
        "DRAINING (1 disk(s) unhealthy)", "Applications: 1", "app-1", "3m ago", "Shuffles: 1",
        "2/4", "5.0 MiB");
    String serverRow = text.lines().filter(l -> l.contains("10.0.0.1:9400")).findFirst()
        .orElseThrow();
    assertThat(serverRow).containsSubsequence("10.0.0.1:9400", "7", "ACTIVE", "3.0 GiB",
        "97.0 GiB", "1.0 MiB", "1.0 GiB", "12", "2s ago");
  }

  @Test
  void anEmptyClusterSaysSo() {
    assertThat(ClusterStatusText.render(GetClusterStatusResponse.getDefaultInstance(), NOW))
        .isEqualTo("Storage servers: 0\n\nApplications: 0\n\nShuffles: 0\n");
  }
}
