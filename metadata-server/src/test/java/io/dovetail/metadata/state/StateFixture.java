package io.dovetail.metadata.state;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.rocksdb.RocksKeyValueStore;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.testkit.ManualClock;
import io.dovetail.testkit.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * A {@link MetadataState} over a real RocksDB store in a fresh directory, driven by a manual
 * clock, with shorthands for the calls tests make. {@link #reopen()} simulates a restart. Not
 * thread-safe except where a test says so (the state itself is).
 */
final class StateFixture implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final Path dir = TestDirs.create("metadata-state");
  final ManualClock clock = new ManualClock();
  Settings settings;
  RocksKeyValueStore store;
  MetadataState state;
  /** Live incarnation per "host:port" registered through this fixture. */
  final Map<String, Long> incarnations = new LinkedHashMap<>();

  /** Applications are told to heartbeat this often: tests register TTLs down to 10 s. */
  static final Duration APP_HEARTBEAT = Duration.ofSeconds(2);

  StateFixture() {
    this(settings(256L << 20));
  }

  /** The fixture's settings with {@code indexMemoryLimit} bytes for the shuffle indexes. */
  static Settings settings(long indexMemoryLimit) {
    return new Settings(2_000, TIMEOUT.toMillis(), 600_000, APP_HEARTBEAT.toMillis(), 300_000,
        1_000_000, 10_000_000, indexMemoryLimit);
  }

  StateFixture(Settings settings) {
    this.settings = settings;
    open();
  }

  private void open() {
    store = RocksKeyValueStore.open(dir, false, 8 << 20);
    state = MetadataState.open(store, clock, settings);
  }

  /** Closes the store and recovers a new state from it, like a process restart. */
  void reopen() {
    store.close();
    open();
  }

  /** As {@link #reopen()}, restarting with other settings. */
  void reopen(Settings newSettings) {
    store.close();
    settings = newSettings;
    open();
  }

  @Override
  public void close() {
    store.close();
  }

  static DiskStatus disk(long usable) {
    return DiskStatus.newBuilder().setPath("/data").setCapacityBytes(usable * 2)
        .setUsedBytes(usable).setUsableBytes(usable).setHealthy(true).build();
  }

  long register(String host, int port) {
    return register(RegisterServerRequest.newBuilder().setHost(host).setDataPort(port)
        .setMemoryLimitBytes(1 << 30).build());
  }

  long register(RegisterServerRequest req) {
    long inc = state.registerServer(req).getIncarnation();
    incarnations.put(req.getHost() + ":" + req.getDataPort(), inc);
    return inc;
  }

  /** Registers {@code n} servers h1..hn on port 7000. */
  List<Long> servers(int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(register("h" + i, 7000));
    }
    return out;
  }

  ServerHeartbeatResponse heartbeat(String host, int port, long incarnation) {
    return state.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost(host)
        .setDataPort(port).setIncarnation(incarnation).build());
  }

  /** Every server registered through the fixture heartbeats. */
  void heartbeatAll() {
    incarnations.forEach((address, inc) -> {
      String[] hp = address.split(":");
      heartbeat(hp[0], Integer.parseInt(hp[1]), inc);
    });
  }

  void app(String appId) {
    state.registerApplication(RegisterApplicationRequest.newBuilder().setAppId(appId).build());
  }

  ShuffleLayout shuffle(String appId, int shuffleId, int maps, int partitions, int replication) {
    return state.registerShuffle(RegisterShuffleRequest.newBuilder().setAppId(appId)
        .setShuffleId(shuffleId).setNumMaps(maps).setNumPartitions(partitions)
        .setReplication(replication).build()).getLayout();
  }

  ShuffleLayout layout(String appId, int shuffleId) {
    return state.getShuffleLayout(GetShuffleLayoutRequest.newBuilder().setAppId(appId)
        .setShuffleId(shuffleId).build()).getLayout();
  }

  static CommitMapRequest commitRequest(String appId, int shuffleId, int map, long attempt,
      int stage, long[] bytes, long[] records, long[] batches) {
    CommitMapRequest.Builder b = CommitMapRequest.newBuilder().setAppId(appId)
        .setShuffleId(shuffleId).setMapIndex(map).setAttemptId(attempt).setStageAttempt(stage);
    for (long v : bytes) {
      b.addPartitionBytes(v);
    }
    for (long v : records) {
      b.addPartitionRecords(v);
    }
    for (long v : batches) {
      b.addPartitionBatches(v);
    }
    return b.build();
  }

  CommitMapResponse commit(String appId, int shuffleId, int map, long attempt, int stage,
      long[] bytes) {
    long[] records = new long[bytes.length];
    long[] batches = new long[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      records[i] = bytes[i] / 10;
      batches[i] = bytes[i] == 0 ? 0 : 1;
    }
    return state.commitMap(commitRequest(appId, shuffleId, map, attempt, stage, bytes, records,
        batches));
  }

  GetReadPlanResponse readPlan(String appId, int shuffleId, int start, int end, int startMap,
      int endMap) {
    return state.getReadPlan(GetReadPlanRequest.newBuilder().setAppId(appId)
        .setShuffleId(shuffleId).setStartPartition(start).setEndPartition(end)
        .setStartMap(startMap).setEndMap(endMap).build());
  }

  /** The incarnations of one epoch's servers, primary first. */
  static List<Long> servers(ShuffleLayout layout, int partition, int epochIndex) {
    List<Long> out = new ArrayList<>();
    for (int i : layout.getPartitions(partition).getEpochs(epochIndex).getServersList()) {
      out.add(layout.getServers(i).getIncarnation());
    }
    return out;
  }

  static ServerInfo serverOf(List<ServerInfo> table, long incarnation) {
    return table.stream().filter(s -> s.getIncarnation() == incarnation).findFirst()
        .orElseThrow();
  }

  static void assertCode(ErrorCode code, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(DovetailException.class)
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((DovetailException) e).code())
            .as("error code of: %s", e.getMessage()).isEqualTo(code));
  }
}
