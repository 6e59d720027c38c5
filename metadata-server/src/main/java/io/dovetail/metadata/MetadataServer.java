package io.dovetail.metadata;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.metrics.MetricsEndpoint;
import io.dovetail.common.metrics.RpcMetrics;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.Lifecycle;
import io.dovetail.common.util.MonotonicClock;
import io.dovetail.common.util.Threads;
import io.dovetail.metadata.service.AdminGrpcService;
import io.dovetail.metadata.service.MetadataGrpcService;
import io.dovetail.metadata.service.StorageRegistryGrpcService;
import io.dovetail.metadata.state.MetadataState;
import io.dovetail.metadata.state.Settings;
import io.dovetail.metadata.store.rocksdb.RocksKeyValueStore;
import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata server: a RocksDB-backed {@link MetadataState} served over gRPC, plus a
 * maintenance thread for liveness and TTL expiry. Construct, {@link #start()}, {@link #close()}:
 *
 * <pre>{@code
 * try (MetadataServer server = new MetadataServer(conf).start()) {
 *   int port = server.port();
 *   ...
 * }
 * }</pre>
 *
 * <p>Lifecycle NEW, STARTING, RUNNING, CLOSING, CLOSED (FAILED if start fails; close still
 * releases what was opened). Close order: the maintenance thread, then the gRPC server (it stops
 * accepting calls and waits briefly for calls in progress), then the gRPC executor, then the
 * store, so no call ever reaches a closed store.
 *
 * <p>Thread-safe: start and close may be called from any thread (they serialize); the accessors
 * may be called at any time.
 */
public final class MetadataServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataServer.class);
  private static final long GRPC_SHUTDOWN_GRACE_MS = 5_000;

  private final DovetailConf conf;
  private final Clock clock;
  private final Lifecycle lifecycle = new Lifecycle("MetadataServer");
  private final String host;
  private final int configuredPort;
  private final int metricsPort;
  private final Path dbDir;
  private final boolean syncWrites;
  private final long dbCacheBytes;
  private final int threads;
  private final long maintenanceIntervalMs;
  private final Settings settings;

  // Set by start(), released by close(); guarded by this.
  private RocksKeyValueStore store;
  private volatile MetadataState state;
  private Server grpc;
  private MetricsEndpoint metrics;
  private ExecutorService rpcExecutor;
  private Thread maintenance;
  private volatile boolean stopping;
  private volatile int port = -1;

  /**
   * A server on the system time as the monotonic clock advances it: a step of the system clock
   * (NTP after a VM resumes) must not declare every storage server dead and expire every
   * application at the next maintenance pass.
   */
  public MetadataServer(DovetailConf conf) {
    this(conf, MonotonicClock.systemUTC());
  }

  /**
   * A server whose liveness and TTL decisions follow {@code clock}.
   *
   * @throws IllegalArgumentException if a configuration value is invalid (the message names it)
   */
  public MetadataServer(DovetailConf conf, Clock clock) {
    this.conf = conf.copy();
    this.clock = clock;
    this.host = conf.get(MetadataConfig.HOST);
    this.configuredPort = conf.get(MetadataConfig.PORT);
    this.metricsPort = conf.get(MetadataConfig.METRICS_PORT);
    this.dbDir = Path.of(conf.get(MetadataConfig.DB_DIR));
    this.syncWrites = conf.get(MetadataConfig.SYNC_WRITES);
    this.dbCacheBytes = conf.get(MetadataConfig.DB_CACHE_SIZE);
    this.threads = conf.get(MetadataConfig.THREADS);
    this.maintenanceIntervalMs = conf.get(MetadataConfig.MAINTENANCE_INTERVAL).toMillis();
    this.settings = Settings.from(conf);
  }

  /**
   * Opens the store, recovers the state, and starts serving.
   *
   * @return this
   * @throws DovetailException if the store cannot be opened or recovered, or the port not bound
   * @throws IllegalStateException if called twice
   */
  public synchronized MetadataServer start() {
    lifecycle.starting();
    try {
      store = RocksKeyValueStore.open(dbDir, syncWrites, dbCacheBytes);
      state = MetadataState.open(store, clock, settings);
      rpcExecutor = Executors.newFixedThreadPool(threads, Threads.named("dovetail-metadata-rpc"));
      RpcMetrics rpcMetrics = null;
      if (metricsPort >= 0) {
        metrics = new MetricsEndpoint("metadata-server");
        rpcMetrics = new RpcMetrics(metrics.registry());
        MetadataMetrics.register(metrics.registry(), state);
      }
      try {
        grpc = Rpc.startServer(host, configuredPort, conf, rpcExecutor, rpcMetrics,
            new MetadataGrpcService(state), new StorageRegistryGrpcService(state),
            new AdminGrpcService(state));
      } catch (IOException e) {
        throw new DovetailException(ErrorCode.INTERNAL,
            "cannot listen on " + host + ":" + configuredPort + ": " + e.getMessage(), e);
      }
      port = grpc.getPort();
      if (metrics != null) {
        metrics.start(host, metricsPort);
      }
      // Critical: if it died, servers would never be declared dead nor applications expire, so an
      // Error in it halts the process loudly (Threads.critical) instead of limping on.
      maintenance = Threads.critical("dovetail-metadata-maintenance").newThread(this::maintain);
      maintenance.start();
      lifecycle.running();
      LOG.info("Metadata server listening on {}:{} (state in {})", host, port, dbDir);
      return this;
    } catch (RuntimeException e) {
      lifecycle.failed();
      release();
      throw e;
    }
  }

  /**
   * Runs a maintenance pass every interval until {@link #close()}. A pass that comes much later
   * than asked means this process was paused; the silence it saw is then forgiven first.
   */
  private void maintain() {
    long pauseThresholdMs = pauseThresholdMs(settings, maintenanceIntervalMs);
    long lastWakeNanos = System.nanoTime();
    while (!stopping) {
      try {
        Thread.sleep(maintenanceIntervalMs);
      } catch (InterruptedException e) {
        return; // close() interrupts
      }
      long wake = System.nanoTime();
      long lateMs = TimeUnit.NANOSECONDS.toMillis(wake - lastWakeNanos) - maintenanceIntervalMs;
      lastWakeNanos = wake;
      try {
        if (lateMs > pauseThresholdMs) {
          state.forgiveSilence(lateMs);
        }
        state.runMaintenance();
      } catch (RuntimeException e) {
        // One failed pass (say a store error) must not end maintenance: retry next interval.
        LOG.error("Maintenance pass failed; retrying in {} ms", maintenanceIntervalMs, e);
      }
    }
  }

  /**
   * How late a maintenance pass may come before the silence it sees is forgiven: a quarter of the
   * shorter of the server heartbeat timeout and the default application TTL. A pause shorter than
   * that cannot make a server that heartbeats at the told interval look dead; forgiving a longer
   * one delays the detection of a really dead server by at most one timeout.
   */
  static long pauseThresholdMs(Settings settings, long maintenanceIntervalMs) {
    return Math.max(maintenanceIntervalMs,
        Math.min(settings.serverHeartbeatTimeoutMs(), settings.defaultAppTtlMs()) / 4);
  }

  /** The bound gRPC port (the real one when configured as 0). */
  public int port() {
    int p = port;
    if (p < 0) {
      throw new IllegalStateException("metadata server is " + lifecycle.state());
    }
    return p;
  }

  /** The bound port of the metrics endpoint; -1 when it serves none. */
  public int metricsPort() {
    MetricsEndpoint m;
    synchronized (this) {
      m = metrics;
    }
    return m == null ? -1 : m.port();
  }

  /** The address the server binds to, as configured. */
  public String host() {
    return host;
  }

  /** The state machine, for embedding and tests; null before {@link #start()}. */
  public MetadataState state() {
    return state;
  }

  public Lifecycle.State lifecycleState() {
    return lifecycle.state();
  }

  public Path dbDir() {
    return dbDir;
  }

  /** Stops serving and closes the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (!lifecycle.closing()) {
      return;
    }
    release();
    lifecycle.closed();
    LOG.info("Metadata server closed");
  }

  private void release() {
    stopping = true;
    if (maintenance != null) {
      maintenance.interrupt();
      try {
        maintenance.join(GRPC_SHUTDOWN_GRACE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (maintenance.isAlive()) {
        LOG.warn("The maintenance thread did not stop in time");
      }
    }
    if (grpc != null) {
      grpc.shutdown();
      try {
        if (!grpc.awaitTermination(GRPC_SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS)) {
          grpc.shutdownNow();
          grpc.awaitTermination(GRPC_SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        grpc.shutdownNow();
      }
    }
    if (metrics != null) {
      metrics.close();
    }
    if (rpcExecutor != null) {
      rpcExecutor.shutdown();
      awaitTermination(rpcExecutor, "gRPC executor");
    }
    if (store != null) {
      store.close();
    }
    port = -1;
  }

  private static void awaitTermination(ExecutorService executor, String what) {
    try {
      if (!executor.awaitTermination(GRPC_SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("The {} did not stop in time", what);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "MetadataServer[" + lifecycle.state() + ", port " + port + ", " + dbDir + "]";
  }
}
