package io.dovetail.client;

import io.dovetail.client.push.PushSettings;
import io.dovetail.client.push.ShufflePusher;
import io.dovetail.client.read.ReadSettings;
import io.dovetail.client.read.ShuffleReader;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.transport.TransportClientFactory;
import io.dovetail.common.util.HostPort;
import io.dovetail.common.util.Threads;
import io.dovetail.proto.RegisterApplicationResponse;
import io.dovetail.proto.GetPartitionSizesResponse;
import io.dovetail.proto.GetShuffleLayoutResponse;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ShuffleLayout;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Entry point of the store client: one per process (a Spark driver or executor), shared by all
 * its tasks. Registers applications and shuffles, caches shuffle layouts, and creates
 * {@link ShufflePusher}s and {@link ShuffleReader}s. Thread-safe.
 */
public final class DovetailClient implements AutoCloseable {
  private final DovetailConf conf;
  private final MetadataClient metadata;
  private final TransportClientFactory transport;
  private final ScheduledExecutorService retryExecutor;
  private volatile boolean closed;
  private final PushSettings pushSettings;
  private final ReadSettings readSettings;
  private final ConcurrentHashMap<String, ShuffleLayout> layouts = new ConcurrentHashMap<>();

  /** A client of the metadata server named by {@code dovetail.metadata.address}. */
  public DovetailClient(String name, DovetailConf conf) {
    this(name, metadataAddress(conf), conf);
  }

  public DovetailClient(String name, HostPort metadataAddress, DovetailConf conf) {
    this.conf = conf.copy();
    this.pushSettings = PushSettings.from(conf);
    this.readSettings = ReadSettings.from(conf);
    this.metadata = new MetadataClient(metadataAddress, conf);
    this.transport = new TransportClientFactory(name, conf);
    ScheduledThreadPoolExecutor exec =
        new ScheduledThreadPoolExecutor(2, Threads.named(name + "-push-retry"));
    exec.setRemoveOnCancelPolicy(true);
    this.retryExecutor = exec;
  }

  private static HostPort metadataAddress(DovetailConf conf) {
    String address = conf.get(CommonConfig.METADATA_ADDRESS);
    if (address.isEmpty()) {
      throw new DovetailException(ErrorCode.INVALID_ARGUMENT,
          CommonConfig.METADATA_ADDRESS.key() + " is not set");
    }
    return HostPort.parse(address);
  }

  public DovetailConf conf() {
    return conf;
  }

  public MetadataClient metadata() {
    return metadata;
  }

  public TransportClientFactory transport() {
    return transport;
  }

  /** Runs resends and reroutes of pushers. */
  public ScheduledExecutorService retryExecutor() {
    return retryExecutor;
  }

  /** Registers {@code appId} with the server's default TTL (idempotent); returns TTL and interval. */
  public RegisterApplicationResponse registerApplication(String appId) {
    return metadata.registerApplication(appId, 0);
  }

  public void heartbeat(String appId) {
    metadata.heartbeat(appId);
  }

  public void unregisterApplication(String appId) {
    layouts.keySet().removeIf(k -> k.startsWith(appId + "/"));
    metadata.unregisterApplication(appId);
  }

  /** Registers a shuffle (idempotent) and caches its layout. */
  public ShuffleLayout registerShuffle(String appId, int shuffleId, int numMaps,
      int numPartitions, int replication) {
    ShuffleLayout layout =
        metadata.registerShuffle(appId, shuffleId, numMaps, numPartitions, replication);
    cache(layout);
    return layout;
  }

  public void unregisterShuffle(String appId, int shuffleId) {
    layouts.remove(key(appId, shuffleId));
    metadata.unregisterShuffle(appId, shuffleId);
  }

  /** Drops the cached layout of a shuffle that ended (the shuffle itself is left alone). */
  public void forgetShuffle(String appId, int shuffleId) {
    layouts.remove(key(appId, shuffleId));
  }

  /** Whether the layout of a shuffle is cached, for diagnostics and tests. */
  public boolean hasLayout(String appId, int shuffleId) {
    return layouts.containsKey(key(appId, shuffleId));
  }

  /** The cached layout of a shuffle, fetched on first use. */
  public ShuffleLayout layout(String appId, int shuffleId) {
    ShuffleLayout cached = layouts.get(key(appId, shuffleId));
    if (cached != null) {
      return cached;
    }
    return refreshLayout(appId, shuffleId);
  }

  /** Fetches the layout if it changed since the cached one. */
  public ShuffleLayout refreshLayout(String appId, int shuffleId) {
    ShuffleLayout cached = layouts.get(key(appId, shuffleId));
    GetShuffleLayoutResponse r = metadata.getLayout(appId, shuffleId,
        cached == null ? 0 : cached.getLayoutVersion());
    if (r.getUnchanged() && cached != null) {
      return cached;
    }
    return cache(r.getLayout());
  }

  /**
   * Reports that pushes to {@code failed} locations did not succeed; returns the layout with new
   * writable epochs for them. {@code server} is the server at fault, or null.
   */
  public ShuffleLayout reportFailure(String appId, int shuffleId, List<Location> failed,
      Location.Server server, ErrorCode code) {
    ReportLocationFailureRequest.Builder req = ReportLocationFailureRequest.newBuilder()
        .setAppId(appId).setShuffleId(shuffleId).setErrorCode(code.code());
    Set<Long> seen = new LinkedHashSet<>();
    for (Location l : failed) {
      if (seen.add(((long) l.partition() << 32) | l.epoch())) {
        req.addFailed(PartitionEpoch.newBuilder().setPartition(l.partition())
            .setEpoch(l.epoch()));
      }
    }
    if (server != null) {
      req.setFailedServer(server.toProto());
    }
    return cache(metadata.reportLocationFailure(req.build()));
  }

  private ShuffleLayout cache(ShuffleLayout layout) {
    return layouts.merge(key(layout.getAppId(), layout.getShuffleId()), layout,
        (old, neu) -> neu.getLayoutVersion() >= old.getLayoutVersion() ? neu : old);
  }

  /** A pusher for one map attempt of a run with no stage id. The shuffle must be registered. */
  public ShufflePusher pusher(String appId, int shuffleId, int mapIndex, long attemptId,
      int stageAttempt) {
    return pusher(appId, shuffleId, mapIndex, attemptId, 0, stageAttempt);
  }

  /**
   * A pusher for one map attempt. The shuffle must be registered. A commit replaces the winner
   * of an earlier run, ordered by (stageId, stageAttempt): see CommitMapRequest.
   */
  public ShufflePusher pusher(String appId, int shuffleId, int mapIndex, long attemptId,
      int stageId, int stageAttempt) {
    return new ShufflePusher(this, appId, shuffleId, mapIndex, attemptId, stageId, stageAttempt,
        pushSettings);
  }

  /**
   * A reader of partitions [startPartition, endPartition) restricted to maps
   * [startMap, endMap); {@code endMap} of -1 means all maps.
   */
  public ShuffleReader reader(String appId, int shuffleId, int startPartition, int endPartition,
      int startMap, int endMap) {
    return new ShuffleReader(this, appId, shuffleId, startPartition, endPartition, startMap,
        endMap, readSettings);
  }

  /** Bytes per partition, summed over committed attempts. */
  public GetPartitionSizesResponse partitionSizes(String appId, int shuffleId) {
    return metadata.partitionSizes(appId, shuffleId);
  }

  private static String key(String appId, int shuffleId) {
    return appId + "/" + shuffleId;
  }

  /** True once {@link #close()} began: queued retries will not run. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    retryExecutor.shutdownNow();
    transport.close();
    metadata.close();
  }
}
