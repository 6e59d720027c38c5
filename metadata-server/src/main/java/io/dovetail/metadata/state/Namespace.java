package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.metadata.store.KvBatch;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterApplicationResponse;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.RegisterShuffleResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applications and the shuffles they own: registration, lookup, unregistration and TTL expiry.
 * What happens inside a shuffle is in {@link ShuffleOps} and {@link CommitOps}.
 *
 * <p>Thread-safe. Lock order: {@code appsLock} (creating or deleting an application), then the
 * application's monitor (creating or deleting its shuffles), then shuffle locks. Lookups take no
 * lock; an operation that finds a shuffle re-checks {@code deleted} under its lock.
 */
final class Namespace {
  private static final Logger LOG = LoggerFactory.getLogger(Namespace.class);

  private final KeyValueStore store;
  private final IdGenerator ids;
  private final Clock clock;
  private final Settings settings;
  private final ServerRegistry servers;
  private final Allocator allocator;
  /** The estimated heap of the shuffles' indexes; recovery adds what it loads. */
  final IndexMemory memory;
  final ConcurrentHashMap<String, AppState> apps = new ConcurrentHashMap<>();
  private final Object appsLock = new Object();

  Namespace(KeyValueStore store, IdGenerator ids, Clock clock, Settings settings,
      ServerRegistry servers, Allocator allocator) {
    this.store = store;
    this.ids = ids;
    this.clock = clock;
    this.settings = settings;
    this.servers = servers;
    this.allocator = allocator;
    this.memory = new IndexMemory(settings.indexMemoryLimitBytes());
  }

  /** The live application {@code appId}; INVALID_ARGUMENT or UNKNOWN_APPLICATION otherwise. */
  AppState app(String appId) {
    AppState a = apps.get(Check.appId(appId));
    if (a == null) {
      throw new DovetailException(ErrorCode.UNKNOWN_APPLICATION,
          "application " + appId + " is not registered");
    }
    return a;
  }

  /** The shuffle; INVALID_ARGUMENT, UNKNOWN_APPLICATION or UNKNOWN_SHUFFLE otherwise. */
  ShuffleState shuffle(String appId, int shuffleId) {
    Check.shuffleId(shuffleId);
    ShuffleState s = app(appId).shuffles.get(shuffleId);
    if (s == null) {
      throw new DovetailException(ErrorCode.UNKNOWN_SHUFFLE,
          "shuffle " + shuffleId + " of application " + appId + " is not registered");
    }
    return s;
  }

  /** The shuffle, or null when it (or its application) does not exist or the ids are invalid. */
  ShuffleState find(String appId, int shuffleId) {
    AppState a = appId == null ? null : apps.get(appId);
    return a == null ? null : a.shuffles.get(shuffleId);
  }

  RegisterApplicationResponse registerApplication(RegisterApplicationRequest req) {
    String appId = Check.appId(req.getAppId());
    long ttl = req.getTtlMs() == 0 ? settings.defaultAppTtlMs() : checkTtl(req.getTtlMs());
    long now = clock.millis();
    synchronized (appsLock) {
      AppState a = apps.get(appId);
      if (a == null) {
        store.put(Keys.app(appId), Codec.app(ttl, now));
        apps.put(appId, new AppState(appId, ttl, now, now));
        LOG.info("Registered application {} (ttl {} ms)", appId, ttl);
      } else {
        synchronized (a) {
          if (a.ttlMs != ttl) {
            store.put(Keys.app(appId), Codec.app(ttl, a.registeredAtMs));
            a.ttlMs = ttl;
          }
          a.lastHeartbeatMs = now;
        }
      }
    }
    return RegisterApplicationResponse.newBuilder().setTtlMs(ttl)
        .setHeartbeatIntervalMs(settings.appHeartbeatIntervalMs()).build();
  }

  /**
   * An explicit TTL must be at least twice the heartbeat interval the application is told (else
   * one late heartbeat drops it with all its shuffles) and at most {@link Settings#MAX_APP_TTL_MS}
   * (else a dead application would hold its shuffles for ever).
   */
  private long checkTtl(long ttlMs) {
    Check.arg(ttlMs >= settings.minAppTtlMs(), "ttl_ms " + ttlMs + " is shorter than twice the "
        + "application heartbeat interval of " + settings.appHeartbeatIntervalMs() + " ms: it must "
        + "be at least " + settings.minAppTtlMs() + " ms, or 0 for the server default");
    Check.arg(ttlMs <= Settings.MAX_APP_TTL_MS, "ttl_ms " + ttlMs + " is longer than the maximum "
        + "of " + Settings.MAX_APP_TTL_MS + " ms (7 days)");
    return ttlMs;
  }

  void heartbeat(String appId) {
    AppState a = app(appId);
    synchronized (a) {
      // An expiry may have removed it since the lookup: say so rather than answer alive.
      if (a.deleted) {
        throw new DovetailException(ErrorCode.UNKNOWN_APPLICATION,
            "application " + appId + " is not registered");
      }
      a.lastHeartbeatMs = clock.millis();
    }
  }

  void unregisterApplication(String appId) {
    delete(app(appId), false, "unregistered");
  }

  /** Restarts every application's TTL from now; returns how many there are. */
  int forgiveSilence() {
    long now = clock.millis();
    for (AppState a : apps.values()) {
      a.lastHeartbeatMs = Math.max(a.lastHeartbeatMs, now);
    }
    return apps.size();
  }

  /** Removes every application whose TTL has passed; returns their ids. */
  List<String> expire() {
    long now = clock.millis();
    List<String> expired = new ArrayList<>();
    for (AppState a : apps.values()) {
      if (a.isExpired(now) && delete(a, true, "TTL of " + a.ttlMs + " ms expired")) {
        expired.add(a.appId);
      }
    }
    return expired;
  }

  /**
   * Deletes an application and all its shuffles in one write; false if it is gone already or,
   * with {@code onlyIfExpired}, has heartbeated since the caller looked.
   */
  private boolean delete(AppState a, boolean onlyIfExpired, String why) {
    synchronized (appsLock) {
      synchronized (a) {
        if (a.deleted || (onlyIfExpired && !a.isExpired(clock.millis()))) {
          return false;
        }
        List<ShuffleState> shuffles = new ArrayList<>(a.shuffles.values());
        shuffles.sort(Comparator.comparingInt(s -> s.shuffleId));
        shuffles.forEach(s -> s.lock.lock());
        try {
          KvBatch batch = new KvBatch().delete(Keys.app(a.appId))
              .deletePrefix(Keys.appPrefix(Keys.SHUFFLE, a.appId))
              .deletePrefix(Keys.appPrefix(Keys.LAYOUT, a.appId))
              .deletePrefix(Keys.appPrefix(Keys.COMMIT, a.appId));
          store.write(batch);
          for (ShuffleState s : shuffles) {
            markDeleted(s);
          }
          a.shuffles.clear();
          a.deleted = true;
          apps.remove(a.appId, a);
        } finally {
          shuffles.forEach(s -> s.lock.unlock());
        }
        LOG.info("Removed application {} with {} shuffles: {}", a.appId, shuffles.size(), why);
        return true;
      }
    }
  }

  RegisterShuffleResponse registerShuffle(RegisterShuffleRequest req) {
    int shuffleId = Check.shuffleId(req.getShuffleId());
    int maps = req.getNumMaps();
    int partitions = req.getNumPartitions();
    int replication = req.getReplication();
    Check.arg(maps >= 0 && maps <= settings.maxMaps(),
        "num_maps must be in 0.." + settings.maxMaps() + ", got " + maps);
    // 0 partitions is a real shuffle: Spark's default partitioner over inputs with no partitions.
    Check.arg(partitions >= 0 && partitions <= settings.maxPartitions(),
        "num_partitions must be in 0.." + settings.maxPartitions() + ", got " + partitions);
    Check.arg(replication >= 1 && replication <= 3,
        "replication must be in 1..3, got " + replication);
    AppState a = app(req.getAppId());
    synchronized (a) {
      if (a.deleted) {
        throw new DovetailException(ErrorCode.UNKNOWN_APPLICATION,
            "application " + a.appId + " is not registered");
      }
      ShuffleState existing = a.shuffles.get(shuffleId);
      if (existing != null) {
        existing.lockLive();
        try {
          if (!existing.sameShape(maps, partitions, replication)) {
            throw new DovetailException(ErrorCode.SHUFFLE_CONFLICT, "shuffle " + existing
                + " is registered with " + existing.numMaps + " maps, " + existing.numPartitions
                + " partitions, replication " + existing.replication + "; asked for " + maps
                + ", " + partitions + ", " + replication);
          }
          return RegisterShuffleResponse.newBuilder()
              .setLayout(Layouts.layout(existing, servers)).build();
        } finally {
          existing.unlock();
        }
      }
      // Reserved before the index is built, given back if the registration fails.
      long indexBytes = ShuffleState.indexBytes(maps, partitions);
      memory.reserve(indexBytes, "shuffle " + a.appId + "/" + shuffleId + " (" + maps
          + " maps, " + partitions + " partitions)");
      Epoch[][] initial;
      ShuffleState s;
      try {
        initial = allocator.initial(partitions, replication);
        s = new ShuffleState(a.appId, shuffleId, maps, partitions, replication, clock.millis(),
            ids.next());
        KvBatch batch = new KvBatch().put(Keys.shuffle(a.appId, shuffleId),
            Codec.shuffle(s, s.layoutVersion));
        for (int p = 0; p < partitions; p++) {
          batch.put(Keys.layout(a.appId, shuffleId, p), Codec.epochs(initial[p]));
        }
        store.write(batch);
      } catch (RuntimeException | Error e) {
        memory.release(indexBytes);
        throw e;
      }
      s.lock.lock();
      try {
        for (int p = 0; p < partitions; p++) {
          s.epochs[p] = initial[p];
          LayoutChange.countCopies(servers, initial[p], 1);
        }
        a.shuffles.put(shuffleId, s);
        LOG.info("Registered shuffle {}: {} maps, {} partitions, replication {}", s, maps,
            partitions, replication);
        return RegisterShuffleResponse.newBuilder().setLayout(Layouts.layout(s, servers)).build();
      } finally {
        s.lock.unlock();
      }
    }
  }

  void unregisterShuffle(String appId, int shuffleId) {
    ShuffleState s = shuffle(appId, shuffleId);
    AppState a = app(appId);
    synchronized (a) {
      s.lockLive(); // UNKNOWN_SHUFFLE if deleted meanwhile (also with its application)
      try {
        store.write(new KvBatch().delete(Keys.shuffle(appId, shuffleId))
            .deletePrefix(Keys.shufflePrefix(Keys.LAYOUT, appId, shuffleId))
            .deletePrefix(Keys.shufflePrefix(Keys.COMMIT, appId, shuffleId)));
        markDeleted(s);
        a.shuffles.remove(shuffleId, s);
      } finally {
        s.unlock();
      }
    }
    LOG.info("Unregistered shuffle {}", s);
  }

  /** Caller holds the shuffle's lock and has deleted its records. */
  private void markDeleted(ShuffleState s) {
    s.deleted = true;
    memory.release(s.indexBytes());
    for (Epoch[] epochs : s.epochs) {
      LayoutChange.countCopies(servers, epochs, -1);
    }
  }
}
