package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterServerResponse;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ShuffleKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What storage servers tell the metadata server, and what they learn back: registration with
 * re-adoption of sealed files that survived a restart, heartbeats with reconciliation of held
 * shuffles ({@code removed}) and lost copies.
 *
 * <p>Re-adoption: a sealed file {@code (shuffle, partition, epoch)} written by incarnation W is
 * re-pointed to the new incarnation N when that epoch names an incarnation X of the same address
 * with X >= W (X is the writer or an incarnation that re-adopted the file before) and X's copy is
 * not lost. Every other listed file is returned in {@code discard}.
 *
 * <p>Lost copies are omitted from layouts (see {@link Layouts}); a loss on the writable epoch also
 * allocates the next epoch, elsewhere if possible, so writers move on.
 *
 * <p>Thread-safe: holds one shuffle's lock at a time; registry calls take the registry's own
 * monitor and never the other way round.
 */
final class StorageSync {
  private static final Logger LOG = LoggerFactory.getLogger(StorageSync.class);

  private final KeyValueStore store;
  private final IdGenerator ids;
  private final Settings settings;
  private final ServerRegistry servers;
  private final Allocator allocator;
  private final Namespace namespace;

  StorageSync(KeyValueStore store, IdGenerator ids, Settings settings, ServerRegistry servers,
      Allocator allocator, Namespace namespace) {
    this.store = store;
    this.ids = ids;
    this.settings = settings;
    this.servers = servers;
    this.allocator = allocator;
    this.namespace = namespace;
  }

  RegisterServerResponse registerServer(RegisterServerRequest req) {
    ServerRecord r = servers.register(req);
    Map<ShuffleKey, List<SealedPartition>> byShuffle = new LinkedHashMap<>();
    for (SealedPartition f : req.getSealedList()) {
      byShuffle.computeIfAbsent(ShuffleKey.newBuilder().setAppId(f.getAppId())
          .setShuffleId(f.getShuffleId()).build(), k -> new ArrayList<>()).add(f);
    }
    List<SealedPartition> discard = new ArrayList<>();
    int adopted = 0;
    for (Map.Entry<ShuffleKey, List<SealedPartition>> e : byShuffle.entrySet()) {
      ShuffleState s = namespace.find(e.getKey().getAppId(), e.getKey().getShuffleId());
      if (s == null) {
        discard.addAll(e.getValue());
        continue;
      }
      s.lock.lock();
      try {
        if (s.deleted) {
          discard.addAll(e.getValue());
          continue;
        }
        LayoutChange change = new LayoutChange(s);
        for (SealedPartition f : e.getValue()) {
          if (!adopt(s, change, r, f)) {
            discard.add(f);
          }
        }
        adopted += change.size();
        change.commit(store, ids, servers);
      } finally {
        s.lock.unlock();
      }
    }
    if (req.getSealedCount() > 0) {
      LOG.info("Storage server {} incarnation {}: re-adopted sealed files of {} partitions, "
          + "{} of {} files to discard", r.address(), r.incarnation(), adopted, discard.size(),
          req.getSealedCount());
    }
    return RegisterServerResponse.newBuilder().setIncarnation(r.incarnation())
        .setHeartbeatIntervalMs(settings.serverHeartbeatIntervalMs()).addAllDiscard(discard)
        .build();
  }

  /** Re-points one epoch slot to {@code r} if the file is wanted; false to discard it. */
  private boolean adopt(ShuffleState s, LayoutChange change, ServerRecord r, SealedPartition f) {
    int p = f.getPartition();
    if (p < 0 || p >= s.numPartitions) {
      return false;
    }
    Epoch epoch = null;
    for (Epoch e : change.current(p)) {
      if (e.epoch == f.getEpoch()) {
        epoch = e;
      }
    }
    if (epoch == null) {
      return false;
    }
    for (int slot = 0; slot < epoch.size(); slot++) {
      long named = epoch.server(slot);
      if (named == r.incarnation()) {
        return !epoch.isLost(slot); // listed twice: adopted already
      }
      ServerRecord x = servers.get(named);
      if (x != null && x.address().equals(r.address()) && !epoch.isLost(slot)) {
        if (named > r.incarnation()) {
          // A later registration of this host adopted it first (this one is a retried call that
          // lost the race): never move a copy back to an older, now dead, incarnation.
          return true;
        }
        if (named >= f.getIncarnation()) {
          change.replace(p, epoch.withServer(slot, r.incarnation()));
          return true;
        }
      }
    }
    return false;
  }

  ServerHeartbeatResponse serverHeartbeat(ServerHeartbeatRequest req) {
    ServerRegistry.Beat beat = servers.heartbeat(req);
    ServerHeartbeatResponse.Builder b = ServerHeartbeatResponse.newBuilder()
        .setReregister(beat.reregister()).setState(beat.state());
    for (ShuffleKey k : req.getHeldList()) {
      if (namespace.find(k.getAppId(), k.getShuffleId()) == null) {
        b.addRemoved(k);
      }
    }
    if (!beat.reregister() && req.getLostCount() > 0) {
      recordLost(beat.server(), req.getLostList());
    }
    return b.build();
  }

  private void recordLost(ServerRecord server, List<LostPartition> lost) {
    Map<ShuffleKey, List<LostPartition>> byShuffle = new LinkedHashMap<>();
    for (LostPartition l : lost) {
      byShuffle.computeIfAbsent(ShuffleKey.newBuilder().setAppId(l.getAppId())
          .setShuffleId(l.getShuffleId()).build(), k -> new ArrayList<>()).add(l);
    }
    for (Map.Entry<ShuffleKey, List<LostPartition>> e : byShuffle.entrySet()) {
      ShuffleState s = namespace.find(e.getKey().getAppId(), e.getKey().getShuffleId());
      if (s == null) {
        continue; // deleted: nothing left to protect readers from
      }
      s.lock.lock();
      try {
        if (!s.deleted) {
          recordLost(s, server, e.getValue());
        }
      } finally {
        s.lock.unlock();
      }
    }
  }

  private void recordLost(ShuffleState s, ServerRecord server, List<LostPartition> lost) {
    LayoutChange change = new LayoutChange(s);
    List<Integer> roll = new ArrayList<>();
    for (LostPartition l : lost) {
      int p = l.getPartition();
      if (p < 0 || p >= s.numPartitions) {
        LOG.warn("{} reported lost partition {} of shuffle {}, which has {} partitions",
            server.address(), p, s, s.numPartitions);
        continue;
      }
      Epoch[] epochs = change.current(p);
      for (int i = 0; i < epochs.length; i++) {
        Epoch e = epochs[i];
        int slot = e.slotOf(server.incarnation());
        if (e.epoch != l.getEpoch() || slot < 0 || e.isLost(slot)) {
          continue;
        }
        change.replace(p, e.withLost(slot));
        LOG.warn("Storage server {} incarnation {} lost its copy of shuffle {} partition {} "
            + "epoch {}", server.address(), server.incarnation(), s, p, e.epoch);
        if (i == epochs.length - 1 && !roll.contains(p)) {
          roll.add(p);
        }
      }
    }
    if (!roll.isEmpty()) {
      try {
        long[][] rows = allocator.place(roll.size(), s.replication,
            List.of(Set.of(server.incarnation()), Set.of()));
        for (int i = 0; i < rows.length; i++) {
          int p = roll.get(i);
          Epoch[] cur = change.current(p);
          change.append(p, new Epoch(cur[cur.length - 1].epoch + 1, rows[i], 0));
        }
      } catch (DovetailException ex) {
        if (ex.code() != ErrorCode.NOT_ENOUGH_SERVERS) {
          throw ex;
        }
        LOG.warn("Shuffle {}: no server for new epochs of {} partitions with a lost writable "
            + "copy; writers will report the failure", s, roll.size());
      }
    }
    change.commit(store, ids, servers);
  }
}
