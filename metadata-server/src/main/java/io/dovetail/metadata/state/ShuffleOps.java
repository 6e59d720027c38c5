package io.dovetail.metadata.state;

import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetPartitionSizesResponse;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.GetShuffleLayoutResponse;
import io.dovetail.proto.MapAttempt;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.PartitionReadPlan;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ReportLocationFailureResponse;
import io.dovetail.proto.ServerInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and location changes within one shuffle: layouts, location failures (new epochs), read
 * plans and partition sizes. Thread-safe: every operation holds the shuffle's lock.
 */
final class ShuffleOps {
  private static final Logger LOG = LoggerFactory.getLogger(ShuffleOps.class);

  private final KeyValueStore store;
  private final IdGenerator ids;
  private final ServerRegistry servers;
  private final Allocator allocator;
  private final Namespace namespace;
  private final CommitOps commits;

  ShuffleOps(KeyValueStore store, IdGenerator ids, ServerRegistry servers,
      Allocator allocator, Namespace namespace, CommitOps commits) {
    this.store = store;
    this.ids = ids;
    this.servers = servers;
    this.allocator = allocator;
    this.namespace = namespace;
    this.commits = commits;
  }

  GetShuffleLayoutResponse getShuffleLayout(GetShuffleLayoutRequest req) {
    ShuffleState s = namespace.shuffle(req.getAppId(), req.getShuffleId());
    s.lockLive();
    try {
      if (req.getKnownLayoutVersion() == s.layoutVersion) {
        return GetShuffleLayoutResponse.newBuilder().setUnchanged(true).build();
      }
      return GetShuffleLayoutResponse.newBuilder().setLayout(Layouts.layout(s, servers)).build();
    } finally {
      s.unlock();
    }
  }

  /**
   * For each reported partition whose epoch is still the writable one, allocates epoch + 1,
   * avoiding the failed server (or, when none is named, the failed epoch's servers) when enough
   * other servers exist. Reports of older epochs are no-ops, so many writers reporting the same
   * failure allocate once. Never changes a server's state.
   */
  ReportLocationFailureResponse reportLocationFailure(ReportLocationFailureRequest req) {
    ShuffleState s = namespace.shuffle(req.getAppId(), req.getShuffleId());
    s.lockLive();
    try {
      Map<Integer, Epoch> stale = new TreeMap<>();
      for (PartitionEpoch f : req.getFailedList()) {
        int p = f.getPartition();
        Check.arg(p >= 0 && p < s.numPartitions, "failed partition must be in 0.."
            + (s.numPartitions - 1) + ", got " + p);
        Epoch writable = s.writable(p);
        Check.arg(f.getEpoch() >= 0 && f.getEpoch() <= writable.epoch, "partition " + p
            + " has no epoch " + f.getEpoch() + " (its writable epoch is " + writable.epoch + ")");
        if (f.getEpoch() == writable.epoch) {
          stale.put(p, writable);
        }
      }
      if (!stale.isEmpty()) {
        Map<List<Set<Long>>, List<Integer>> groups = new LinkedHashMap<>();
        for (Map.Entry<Integer, Epoch> e : stale.entrySet()) {
          groups.computeIfAbsent(avoid(e.getValue(), req.hasFailedServer()
              ? req.getFailedServer() : null, req.getErrorCode()),
              k -> new ArrayList<>()).add(e.getKey());
        }
        LayoutChange change = new LayoutChange(s);
        for (Map.Entry<List<Set<Long>>, List<Integer>> g : groups.entrySet()) {
          long[][] rows = allocator.place(g.getValue().size(), s.replication, g.getKey());
          for (int i = 0; i < rows.length; i++) {
            int p = g.getValue().get(i);
            change.append(p, new Epoch(stale.get(p).epoch + 1, rows[i], 0));
          }
        }
        change.commit(store, ids, servers);
        LOG.info("Shuffle {}: new epochs for {} partitions after a location failure (error {}, "
            + "server {})", s, stale.size(), req.getErrorCode(),
            req.hasFailedServer() ? req.getFailedServer().getHost() + ":"
                + req.getFailedServer().getDataPort() : "not named");
      }
      return ReportLocationFailureResponse.newBuilder().setLayout(Layouts.layout(s, servers))
          .build();
    } finally {
      s.unlock();
    }
  }

  /**
   * Exclusion sets from strictest to loosest for a new epoch replacing {@code failed}: the named
   * failed server if it holds a copy (else any server at its address); when none is named, all
   * of the epoch's servers, then its replicas if the primary answered that replication failed
   * (it is alive, one of its replicas is not), else its primary; finally nobody.
   */
  List<Set<Long>> avoid(Epoch failed, ServerInfo failedServer, int errorCode) {
    List<Set<Long>> prefs = new ArrayList<>();
    if (failedServer != null && !failedServer.getHost().isEmpty()) {
      Set<Long> named = new HashSet<>();
      for (ServerRecord r : servers.all()) {
        boolean sameAddress = r.host().equals(failedServer.getHost())
            && r.port() == failedServer.getDataPort();
        if (sameAddress && (failedServer.getIncarnation() == 0
            || failedServer.getIncarnation() == r.incarnation())) {
          named.add(r.incarnation());
        }
      }
      prefs.add(named);
    } else {
      Set<Long> all = new HashSet<>();
      for (int slot = 0; slot < failed.size(); slot++) {
        all.add(failed.server(slot));
      }
      prefs.add(all);
      if (errorCode == ErrorCode.REPLICATION_FAILED.code() && failed.size() > 1) {
        Set<Long> replicas = new HashSet<>(all);
        replicas.remove(failed.server(0));
        prefs.add(replicas);
      } else {
        prefs.add(Set.of(failed.server(0)));
      }
    }
    prefs.add(Set.of());
    return prefs;
  }

  GetReadPlanResponse getReadPlan(GetReadPlanRequest req) {
    ShuffleState s = namespace.shuffle(req.getAppId(), req.getShuffleId());
    int start = req.getStartPartition();
    int end = req.getEndPartition();
    Check.arg(start >= 0 && start < end && end <= s.numPartitions, "partitions [" + start + ", "
        + end + ") must be a non-empty range within [0, " + s.numPartitions + ")");
    int startMap = req.getStartMap();
    int endMap = req.getEndMap();
    if (startMap == 0 && endMap == 0) {
      endMap = s.numMaps;
    } else {
      Check.arg(startMap >= 0 && startMap < endMap && endMap <= s.numMaps, "maps [" + startMap
          + ", " + endMap + ") must be a non-empty range within [0, " + s.numMaps
          + "), or [0, 0) for all maps");
    }
    s.lockLive();
    try {
      long[][] expected = commits.expected(s, start, end, startMap, endMap);
      Layouts layouts = new Layouts(servers);
      GetReadPlanResponse.Builder b = GetReadPlanResponse.newBuilder()
          .setLayoutVersion(s.layoutVersion);
      for (int p = start; p < end; p++) {
        b.addPartitions(PartitionReadPlan.newBuilder().setPartition(p)
            .addAllEpochs(layouts.locations(s, p))
            .setExpectedBytes(expected[Codec.BYTES][p - start])
            .setExpectedRecords(expected[Codec.RECORDS][p - start])
            .setExpectedBatches(expected[Codec.BATCHES][p - start]));
      }
      for (int m = startMap; m < endMap; m++) {
        if (s.winnerAttempt[m] == ShuffleState.NO_ATTEMPT) {
          b.addUncommittedMaps(m);
        } else {
          b.addCommitted(MapAttempt.newBuilder().setMapIndex(m)
              .setAttemptId(s.winnerAttempt[m]));
        }
      }
      return b.addAllServers(layouts.table()).build();
    } finally {
      s.unlock();
    }
  }

  GetPartitionSizesResponse getPartitionSizes(GetPartitionSizesRequest req) {
    ShuffleState s = namespace.shuffle(req.getAppId(), req.getShuffleId());
    s.lockLive();
    try {
      GetPartitionSizesResponse.Builder b = GetPartitionSizesResponse.newBuilder()
          .setCommittedMaps(s.committedMaps);
      for (int p = 0; p < s.numPartitions; p++) {
        b.addPartitionBytes(s.totalBytes[p]).addPartitionRecords(s.totalRecords[p]);
      }
      return b.build();
    } finally {
      s.unlock();
    }
  }
}
