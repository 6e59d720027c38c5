package io.dovetail.metadata.state;

import io.dovetail.proto.EpochLocation;
import io.dovetail.proto.PartitionLayout;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ShuffleLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a shuffle's epochs into wire layouts. Each message carries a server table; epoch locations
 * index into it. What readers and writers see:
 *
 * <ul>
 *   <li>A server's current state is in its table entry: a DEAD or EXITED incarnation is still
 *       listed where it holds a copy, so readers skip it and use a replica.
 *   <li>A copy its server reported lost is omitted from that epoch's server list for readers
 *       (the list may become empty). A loss on the writable epoch moves the partition to a new
 *       epoch when any server can take it; until one can, writers' layouts keep the lost copies
 *       of the writable epoch, so that their pushes fail and ask for the new epoch again.
 * </ul>
 *
 * Callers hold the shuffle's lock. Not thread-safe (one instance per message).
 */
final class Layouts {
  private final ServerRegistry servers;
  private final Map<Long, Integer> index = new HashMap<>();
  private final List<ServerInfo> table = new ArrayList<>();

  Layouts(ServerRegistry servers) {
    this.servers = servers;
  }

  /** The server table built so far, in index order. */
  List<ServerInfo> table() {
    return table;
  }

  private int indexOf(long incarnation) {
    Integer i = index.get(incarnation);
    if (i != null) {
      return i;
    }
    ServerRecord r = servers.get(incarnation);
    ServerInfo info = r != null ? r.info()
        : ServerInfo.newBuilder().setIncarnation(incarnation).setState(ServerState.DEAD).build();
    table.add(info);
    index.put(incarnation, table.size() - 1);
    return table.size() - 1;
  }

  EpochLocation location(Epoch e, boolean writable) {
    return location(e, writable, false);
  }

  /** With {@code keepLost}, copies reported lost stay listed, in their slots. */
  private EpochLocation location(Epoch e, boolean writable, boolean keepLost) {
    EpochLocation.Builder b = EpochLocation.newBuilder().setEpoch(e.epoch).setWritable(writable);
    for (int slot = 0; slot < e.size(); slot++) {
      if (keepLost || !e.isLost(slot)) {
        b.addServers(indexOf(e.server(slot)));
      }
    }
    return b.build();
  }

  /** Every epoch of {@code partition}, ascending, the last writable, as readers see them. */
  List<EpochLocation> locations(ShuffleState s, int partition) {
    return locations(s, partition, false);
  }

  /**
   * Every epoch of {@code partition}; for writers ({@code forWriters}), a writable epoch keeps
   * the copies reported lost. It is writable only because no server could take a new epoch when
   * the loss was reported: writers pushing there are refused, report the failure and so ask for
   * the new epoch again (or hear NOT_ENOUGH_SERVERS), instead of finding no server at all or a
   * replica silently promoted to a primary without replicas.
   */
  private List<EpochLocation> locations(ShuffleState s, int partition, boolean forWriters) {
    Epoch[] epochs = s.epochs[partition];
    List<EpochLocation> out = new ArrayList<>(epochs.length);
    for (int i = 0; i < epochs.length; i++) {
      boolean writable = i == epochs.length - 1;
      out.add(location(epochs[i], writable, forWriters && writable));
    }
    return out;
  }

  /** The whole layout of {@code s}, for writers. */
  static ShuffleLayout layout(ShuffleState s, ServerRegistry servers) {
    Layouts l = new Layouts(servers);
    ShuffleLayout.Builder b = ShuffleLayout.newBuilder().setAppId(s.appId)
        .setShuffleId(s.shuffleId).setNumMaps(s.numMaps).setNumPartitions(s.numPartitions)
        .setReplication(s.replication).setLayoutVersion(s.layoutVersion);
    for (int p = 0; p < s.numPartitions; p++) {
      b.addPartitions(PartitionLayout.newBuilder().setPartition(p)
          .addAllEpochs(l.locations(s, p, true)));
    }
    return b.addAllServers(l.table()).build();
  }
}
