package io.dovetail.client;

import io.dovetail.common.protocol.ReplicaTarget;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.EpochLocation;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ShuffleLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one epoch of a partition lives: its servers (primary first) with their incarnations.
 * Immutable.
 */
public record Location(int partition, int epoch, List<Server> servers) {

  /** One storage server incarnation. */
  public record Server(String host, int port, long incarnation, boolean alive) {
    public HostPort address() {
      return new HostPort(host, port);
    }

    public ServerInfo toProto() {
      return ServerInfo.newBuilder().setHost(host).setDataPort(port).setIncarnation(incarnation)
          .build();
    }

    static Server of(ServerInfo s) {
      boolean alive = s.getState() != ServerState.DEAD && s.getState() != ServerState.EXITED;
      return new Server(s.getHost(), s.getDataPort(), s.getIncarnation(), alive);
    }
  }

  public Server primary() {
    return servers.get(0);
  }

  /** The replicas a primary forwards to. */
  public List<ReplicaTarget> replicaTargets() {
    return replicaTargets(servers.subList(1, servers.size()));
  }

  /** {@code replicas} as the targets a primary forwards to. */
  public static List<ReplicaTarget> replicaTargets(List<Server> replicas) {
    List<ReplicaTarget> out = new ArrayList<>(replicas.size());
    for (Server s : replicas) {
      out.add(new ReplicaTarget(s.host(), s.port(), s.incarnation()));
    }
    return out;
  }

  /** The location of {@code epoch} with server indexes resolved against {@code table}. */
  public static Location of(int partition, EpochLocation epoch, List<ServerInfo> table) {
    List<Server> servers = new ArrayList<>(epoch.getServersCount());
    for (int idx : epoch.getServersList()) {
      servers.add(Server.of(table.get(idx)));
    }
    return new Location(partition, epoch.getEpoch(), List.copyOf(servers));
  }

  /** The writable (newest) epoch of {@code partition} in {@code layout}. */
  public static Location writable(ShuffleLayout layout, int partition) {
    var p = layout.getPartitions(partition);
    if (p.getPartition() != partition) {
      throw new IllegalStateException("layout lists partitions out of order");
    }
    return of(partition, p.getEpochs(p.getEpochsCount() - 1), layout.getServersList());
  }
}
