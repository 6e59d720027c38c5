package io.dovetail.cli;

import io.dovetail.cli.format.TextTable;
import io.dovetail.cli.format.Units;
import io.dovetail.proto.ApplicationStatus;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ServerStatus;
import io.dovetail.proto.ShuffleStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Renders a cluster status as text tables: servers, applications, shuffles. Stateless. */
final class ClusterStatusText {
  private ClusterStatusText() {}

  static String render(GetClusterStatusResponse status, Instant now) {
    StringBuilder sb = new StringBuilder();
    Map<ServerState, Integer> states = new TreeMap<>();
    TextTable servers = new TextTable("SERVER", ">INCARNATION", "STATE", ">DISK USED",
        ">DISK FREE", ">MEMORY USED", ">MEMORY LIMIT", ">PARTITIONS", ">LAST HEARTBEAT");
    for (ServerStatus s : status.getServersList()) {
      ServerInfo info = s.getServer();
      states.merge(info.getState(), 1, Integer::sum);
      long used = 0;
      long free = 0;
      int unhealthy = 0;
      for (DiskStatus d : s.getDisksList()) {
        used += d.getUsedBytes();
        free += d.getUsableBytes();
        unhealthy += d.getHealthy() ? 0 : 1;
      }
      servers.row(info.getHost() + ":" + info.getDataPort(), info.getIncarnation(),
          info.getState() + (unhealthy > 0 ? " (" + unhealthy + " disk(s) unhealthy)" : ""),
          Units.bytes(used), Units.bytes(free), Units.bytes(s.getMemoryUsedBytes()),
          Units.bytes(s.getMemoryLimitBytes()), s.getPartitions(),
          ago(s.getLastHeartbeatMs(), now));
    }
    sb.append("Storage servers: ").append(status.getServersCount());
    if (!states.isEmpty()) {
      StringBuilder counts = new StringBuilder();
      states.forEach((state, n) -> counts.append(counts.length() == 0 ? "" : ", ").append(n)
          .append(' ').append(state.name().toLowerCase(java.util.Locale.ROOT)));
      sb.append(" (").append(counts).append(')');
    }
    sb.append('\n');
    if (!servers.isEmpty()) {
      sb.append(servers.render("  "));
    }

    TextTable apps = new TextTable("APPLICATION", ">SHUFFLES", ">LAST HEARTBEAT");
    for (ApplicationStatus a : status.getApplicationsList()) {
      apps.row(a.getAppId(), a.getShuffles(), ago(a.getLastHeartbeatMs(), now));
    }
    sb.append("\nApplications: ").append(status.getApplicationsCount()).append('\n');
    if (!apps.isEmpty()) {
      sb.append(apps.render("  "));
    }

    TextTable shuffles = new TextTable("APPLICATION", ">SHUFFLE", ">MAPS COMMITTED",
        ">PARTITIONS", ">REPLICATION", ">BYTES COMMITTED");
    for (ShuffleStatus s : status.getShufflesList()) {
      shuffles.row(s.getAppId(), s.getShuffleId(), s.getCommittedMaps() + "/" + s.getNumMaps(),
          s.getNumPartitions(), s.getReplication(), Units.bytes(s.getCommittedBytes()));
    }
    sb.append("\nShuffles: ").append(status.getShufflesCount()).append('\n');
    if (!shuffles.isEmpty()) {
      sb.append(shuffles.render("  "));
    }
    return sb.toString();
  }

  private static String ago(long epochMillis, Instant now) {
    if (epochMillis <= 0) {
      return "-";
    }
    return Units.age(Duration.between(Instant.ofEpochMilli(epochMillis), now)) + " ago";
  }
}
