package io.dovetail.metadata.state;

import io.dovetail.metadata.placement.Placement;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.ApplicationHeartbeatResponse;
import io.dovetail.proto.ApplicationStatus;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.DrainServerResponse;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetPartitionSizesResponse;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.GetShuffleLayoutResponse;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterApplicationResponse;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterServerResponse;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.RegisterShuffleResponse;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ReportLocationFailureResponse;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerExitResponse;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ServerStatus;
import io.dovetail.proto.ShuffleStatus;
import io.dovetail.proto.UndrainServerRequest;
import io.dovetail.proto.UndrainServerResponse;
import io.dovetail.proto.UnregisterApplicationRequest;
import io.dovetail.proto.UnregisterApplicationResponse;
import io.dovetail.proto.UnregisterShuffleRequest;
import io.dovetail.proto.UnregisterShuffleResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata server's state machine: storage servers, applications, shuffles with their
 * partition epochs, and map commits, as {@code docs/store-design.md} specifies. One method per
 * RPC, taking and returning the protobuf messages; failures are {@link
 * io.dovetail.common.DovetailException}s with the error code the caller should see.
 *
 * <p>Durability: every change is written to the {@link KeyValueStore} before memory changes and
 * before the method returns; {@link #open} rebuilds memory from the store. Heartbeat times and
 * load are soft state: after a restart every live server and every application starts a fresh
 * grace period.
 *
 * <p>Thread-safe: calls may come from any number of threads. Locks are fine-grained (per
 * application, per shuffle, one for the server registry), so store writes of one shuffle never
 * block another. The store's lifetime belongs to the caller: close it only after the last call.
 */
public final class MetadataState {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataState.class);
  private final Clock clock;
  private final Settings settings;
  private final ServerRegistry servers;
  private final Namespace namespace;
  private final ShuffleOps shuffles;
  private final CommitOps commits;
  private final StorageSync storage;

  private MetadataState(KeyValueStore store, Clock clock, Settings settings) {
    this.clock = clock;
    this.settings = settings;
    IdGenerator ids = IdGenerator.recover(store);
    this.servers = new ServerRegistry(store, ids, clock, settings);
    Allocator allocator = new Allocator(servers, new Placement());
    this.namespace = new Namespace(store, ids, clock, settings, servers, allocator);
    this.commits = new CommitOps(store, clock, namespace);
    this.shuffles = new ShuffleOps(store, ids, servers, allocator, namespace, commits);
    this.storage = new StorageSync(store, ids, settings, servers, allocator, namespace);
    new Recovery(store, ids, clock, servers, namespace).run();
  }

  /** Recovers the state held in {@code store} (empty for a new store). */
  public static MetadataState open(KeyValueStore store, Clock clock, Settings settings) {
    Recovery.checkSchema(store);
    return new MetadataState(store, clock, settings);
  }

  public Settings settings() {
    return settings;
  }

  // ---- MetadataService ----

  public RegisterApplicationResponse registerApplication(RegisterApplicationRequest req) {
    return namespace.registerApplication(req);
  }

  public ApplicationHeartbeatResponse applicationHeartbeat(ApplicationHeartbeatRequest req) {
    namespace.heartbeat(req.getAppId());
    return ApplicationHeartbeatResponse.getDefaultInstance();
  }

  public UnregisterApplicationResponse unregisterApplication(UnregisterApplicationRequest req) {
    namespace.unregisterApplication(req.getAppId());
    return UnregisterApplicationResponse.getDefaultInstance();
  }

  public RegisterShuffleResponse registerShuffle(RegisterShuffleRequest req) {
    return namespace.registerShuffle(req);
  }

  public GetShuffleLayoutResponse getShuffleLayout(GetShuffleLayoutRequest req) {
    return shuffles.getShuffleLayout(req);
  }

  public UnregisterShuffleResponse unregisterShuffle(UnregisterShuffleRequest req) {
    namespace.unregisterShuffle(req.getAppId(), req.getShuffleId());
    return UnregisterShuffleResponse.getDefaultInstance();
  }

  public ReportLocationFailureResponse reportLocationFailure(ReportLocationFailureRequest req) {
    return shuffles.reportLocationFailure(req);
  }

  public CommitMapResponse commitMap(CommitMapRequest req) {
    return commits.commitMap(req);
  }

  public GetReadPlanResponse getReadPlan(GetReadPlanRequest req) {
    return shuffles.getReadPlan(req);
  }

  public GetPartitionSizesResponse getPartitionSizes(GetPartitionSizesRequest req) {
    return shuffles.getPartitionSizes(req);
  }

  // ---- StorageRegistry ----

  public RegisterServerResponse registerServer(RegisterServerRequest req) {
    return storage.registerServer(req);
  }

  public ServerHeartbeatResponse serverHeartbeat(ServerHeartbeatRequest req) {
    return storage.serverHeartbeat(req);
  }

  public ServerExitResponse serverExit(ServerExitRequest req) {
    ServerRecord r = servers.exit(req.getHost(), req.getDataPort(), req.getIncarnation(),
        req.getDrained());
    return ServerExitResponse.newBuilder().setKeepServing(r.state() == ServerState.ACTIVE).build();
  }

  // ---- AdminService ----

  public DrainServerResponse drainServer(DrainServerRequest req) {
    return DrainServerResponse.newBuilder()
        .setServer(servers.drain(req.getHost(), req.getDataPort()).info()).build();
  }

  public UndrainServerResponse undrainServer(UndrainServerRequest req) {
    ServerRecord r = servers.undrain(req.getHost(), req.getDataPort());
    UndrainServerResponse.Builder b = UndrainServerResponse.newBuilder();
    if (r != null) {
      b.setServer(r.info());
    }
    return b.build();
  }

  /** Servers (by incarnation), applications and shuffles (by id). */
  public GetClusterStatusResponse clusterStatus() {
    GetClusterStatusResponse.Builder b = GetClusterStatusResponse.newBuilder();
    List<ServerRecord> all = new ArrayList<>(servers.all());
    all.sort(Comparator.comparingLong(ServerRecord::incarnation));
    for (ServerRecord r : all) {
      b.addServers(ServerStatus.newBuilder().setServer(r.info()).addAllDisks(r.disks())
          .setMemoryUsedBytes(r.memoryUsedBytes()).setMemoryLimitBytes(r.memoryLimitBytes())
          .setLastHeartbeatMs(r.lastHeartbeatMs()).setPartitions(servers.copies(r.incarnation()))
          .setRecentPushBytes(r.recentPushBytes()));
    }
    List<AppState> apps = new ArrayList<>(namespace.apps.values());
    apps.sort(Comparator.comparing(a -> a.appId));
    for (AppState a : apps) {
      b.addApplications(ApplicationStatus.newBuilder().setAppId(a.appId)
          .setLastHeartbeatMs(a.lastHeartbeatMs).setShuffles(a.shuffles.size()));
      List<ShuffleState> list = new ArrayList<>(a.shuffles.values());
      list.sort(Comparator.comparingInt(s -> s.shuffleId));
      for (ShuffleState s : list) {
        s.lock.lock();
        try {
          if (!s.deleted) {
            b.addShuffles(ShuffleStatus.newBuilder().setAppId(s.appId)
                .setShuffleId(s.shuffleId).setNumMaps(s.numMaps)
                .setNumPartitions(s.numPartitions).setReplication(s.replication)
                .setCommittedMaps(s.committedMaps).setCommittedBytes(s.committedBytes));
          }
        } finally {
          s.lock.unlock();
        }
      }
    }
    return b.build();
  }

  /**
   * Counts for the metrics endpoint: storage-server incarnations known by state, applications and
   * their shuffles. Lock-free; a count may miss a change racing it.
   */
  public record Summary(Map<ServerState, Integer> servers,
      int applications, int shuffles) {}

  public Summary summary() {
    var byState = new EnumMap<ServerState, Integer>(ServerState.class);
    for (ServerRecord r : servers.all()) {
      byState.merge(r.state(), 1, Integer::sum);
    }
    int apps = 0;
    int shuffles = 0;
    for (AppState a : namespace.apps.values()) {
      apps++;
      shuffles += a.shuffles.size();
    }
    return new Summary(byState, apps, shuffles);
  }

  // ---- Maintenance ----

  /** What one maintenance pass changed. */
  public record MaintenanceResult(List<ServerInfo> deadServers, List<String> expiredApps) {}

  /**
   * Declares silent storage servers DEAD, removes applications past their TTL, and forgets dead
   * servers nobody refers to. The server runs it periodically on its maintenance thread; tests
   * call it after moving a manual clock.
   */
  public MaintenanceResult runMaintenance() {
    List<ServerInfo> dead = servers.expire().stream().map(ServerRecord::info).toList();
    List<String> expired = namespace.expire();
    return new MaintenanceResult(dead, expired);
  }

  /**
   * Restarts every storage server's heartbeat timeout and every application's TTL from now. For
   * when this process was paused (a long GC, a frozen VM, SIGSTOP): the heartbeats sent meanwhile
   * were not heard, and a maintenance pass right after would declare the whole cluster dead and
   * drop every application for a silence that was ours. Death detection is late by at most one
   * timeout instead.
   */
  public void forgiveSilence(long pausedMs) {
    int servers = this.servers.forgiveSilence();
    int apps = namespace.forgiveSilence();
    LOG.warn("This process was paused for about {} ms: {} live storage servers and {} "
        + "applications get a fresh heartbeat timeout", pausedMs, servers, apps);
  }

  // ---- Read-only views (tests, embedding) ----

  /** The current view of a storage-server incarnation, if known. */
  public Optional<ServerInfo> server(long incarnation) {
    return Optional.ofNullable(servers.get(incarnation)).map(ServerRecord::info);
  }

  /** Partition copies (non-lost epoch slots) naming {@code incarnation}. */
  public int copiesOn(long incarnation) {
    return servers.copies(incarnation);
  }

  /**
   * The estimated heap of all shuffle indexes, which {@code
   * dovetail.metadata.shuffle.indexMemoryLimit} bounds.
   */
  public long shuffleIndexBytes() {
    return namespace.memory.used();
  }

  /** Registered application ids. */
  public List<String> applications() {
    return namespace.apps.keySet().stream().sorted().toList();
  }

  /** The clock this state reads. */
  public Clock clock() {
    return clock;
  }
}
