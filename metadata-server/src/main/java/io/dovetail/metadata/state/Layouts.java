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
 *   <li>A copy its server reported lost is omitted from that epoch's server list (the list may
 *       become empty). Omission never changes the primary of a writable epoch silently: a loss on
 *       the writable epoch also moves the partition to a new epoch when any server can take it.
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
    EpochLocation.Builder b = EpochLocation.newBuilder().setEpoch(e.epoch).setWritable(writable);
    for (int slot = 0; slot < e.size(); slot++) {
      if (!e.isLost(slot)) {
        b.addServers(indexOf(e.server(slot)));
      }
    }
    return b.build();
  }

  /** Every epoch of {@code partition}, ascending, the last writable. */
  List<EpochLocation> locations(ShuffleState s, int partition) {
    Epoch[] epochs = s.epochs[partition];
    List<EpochLocation> out = new ArrayList<>(epochs.length);
    for (int i = 0; i < epochs.length; i++) {
      out.add(location(epochs[i], i == epochs.length - 1));
    }
    return out;
  }

  /** The whole layout of {@code s}. */
  static ShuffleLayout layout(ShuffleState s, ServerRegistry servers) {
    Layouts l = new Layouts(servers);
    ShuffleLayout.Builder b = ShuffleLayout.newBuilder().setAppId(s.appId)
        .setShuffleId(s.shuffleId).setNumMaps(s.numMaps).setNumPartitions(s.numPartitions)
        .setReplication(s.replication).setLayoutVersion(s.layoutVersion);
    for (int p = 0; p < s.numPartitions; p++) {
      b.addPartitions(PartitionLayout.newBuilder().setPartition(p)
          .addAllEpochs(l.locations(s, p)));
    }
    return b.addAllServers(l.table()).build();
  }
}
