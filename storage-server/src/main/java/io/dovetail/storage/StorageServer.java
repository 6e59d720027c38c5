package io.dovetail.storage;

import io.dovetail.common.DovetailException;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.config.Sizes;
import io.dovetail.common.metrics.MetricsEndpoint;
import io.dovetail.common.transport.TransportServer;
import io.dovetail.common.util.HostPort;
import io.dovetail.common.util.Lifecycle;
import io.dovetail.common.util.MonotonicClock;
import io.dovetail.common.util.Threads;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ShuffleKey;
import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.disk.DataDirs;
import io.dovetail.storage.memory.ChunkPool;
import io.dovetail.storage.memory.MemoryBudget;
import io.dovetail.storage.partition.DirectoryScanner;
import io.dovetail.storage.partition.PartitionFile;
import io.dovetail.storage.partition.PartitionStore;
import io.dovetail.storage.partition.ShuffleId;
import io.dovetail.storage.registry.RegistryClient;
import io.dovetail.storage.registry.RegistryHost;
import io.dovetail.storage.replication.Replicator;
import io.dovetail.storage.server.ServerContext;
import io.dovetail.storage.server.StorageRequestHandler;
import io.dovetail.storage.stream.StreamManager;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Dovetail storage server: the data port ({@link TransportServer} with this server's request
 * handler and memory budget), partition files in the data directories, replication to peers, and
 * registration with the metadata server. Thread-safe; lifecycle NEW -> STARTING -> RUNNING ->
 * CLOSING -> CLOSED, {@link #close()} idempotent.
 *
 * <pre>
 *   StorageServer s = new StorageServer(conf);   // validates the configuration
 *   s.start();                                   // scans dirs, binds, registers
 *   ... s.dataPort(), s.incarnation() ...
 *   s.close();                                   // or s.awaitExit() after a drain
 * </pre>
 *
 * <p>Standalone mode: with {@code dovetail.metadata.address} empty the server registers nowhere
 * and serves as incarnation 0, for unit tests and benchmarks; sealed files found at start are kept
 * and served.
 */
public final class StorageServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);

  private final DovetailConf conf;
  private final Lifecycle lifecycle = new Lifecycle("StorageServer");
  private final CompletableFuture<Void> exit = new CompletableFuture<>();
  private final long memoryLimit;
  private final Duration closeTimeout;
  private ScheduledExecutorService housekeeping;
  private ThreadPoolExecutor worker;
  private MemoryBudget budget;
  private ChunkPool chunkPool;
  private DataDirs dirs;
  private PartitionStore store;
  private StreamManager streams;
  private Replicator replicator;
  private ServerContext context;
  private TransportServer transport;
  private volatile MetricsEndpoint metrics;
  private RegistryClient registry;
  private volatile String advertisedHost;
  private boolean shutDown;

  /**
   * Checks the configuration; touches nothing.
   *
   * @throws IllegalArgumentException naming the bad key
   */
  public StorageServer(DovetailConf conf) {
    StorageConfig.validate(conf);
    String metadata = conf.get(CommonConfig.METADATA_ADDRESS);
    if (!metadata.isEmpty()) {
      HostPort.parse(metadata);
    }
    this.conf = conf.copy();
    this.memoryLimit = conf.get(StorageConfig.MEMORY_LIMIT);
    this.closeTimeout = conf.get(StorageConfig.CLOSE_TIMEOUT);
  }

  /**
   * Recovers the data directories, starts the flushers, binds the data port and registers with
   * the metadata server (retrying for {@code dovetail.rpc.retryWait} while it is unreachable).
   *
   * @throws DovetailException or {@link UncheckedIOException} when the server cannot start; it is
   *     then closed
   */
  public void start() {
    lifecycle.starting();
    try {
      doStart();
      lifecycle.running();
      LOG.info("Storage server {}:{} running as incarnation {} ({} dirs, memory limit {})",
          advertisedHost, dataPort(), incarnation(), dirs.all().size(),
          Sizes.humanBytes(memoryLimit));
    } catch (RuntimeException | IOException | Error e) {
      lifecycle.failed();
      LOG.error("Storage server failed to start: {}", e.toString());
      shutdown();
      exit.complete(null);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("storage server failed to start: " + io.getMessage(), io);
      }
      if (e instanceof Error err) {
        throw err;
      }
      throw (RuntimeException) e;
    }
  }

  private void doStart() throws IOException {
    if (memoryLimit > PlatformDependent.maxDirectMemory()) {
      LOG.warn("{} ({}) exceeds the JVM's direct memory ({}); raise -XX:MaxDirectMemorySize",
          StorageConfig.MEMORY_LIMIT.key(), Sizes.humanBytes(memoryLimit),
          Sizes.humanBytes(PlatformDependent.maxDirectMemory()));
    }
    housekeeping = Executors.newSingleThreadScheduledExecutor(
        Threads.named("dovetail-storage-housekeeping"));
    int workers = conf.get(StorageConfig.WORKER_THREADS);
    worker = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), Threads.named("dovetail-storage-worker"));
    worker.allowCoreThreadTimeOut(true);
    budget = new MemoryBudget(memoryLimit,
        (long) (memoryLimit * conf.get(StorageConfig.MEMORY_HIGH_WATERMARK)));
    dirs = openDirs();
    chunkPool = new ChunkPool(UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
        budget);
    store = new PartitionStore(dirs, budget, chunkPool, housekeeping,
        MonotonicClock.systemUTC(), conf.get(StorageConfig.PARTITION_FLUSH_THRESHOLD),
        (long) (memoryLimit * conf.get(StorageConfig.MEMORY_LOW_WATERMARK)),
        conf.get(StorageConfig.TOMBSTONE_TIME).toMillis());
    store.syncOnSeal(conf.get(StorageConfig.SYNC_ON_SEAL));
    List<PartitionFile> recovered = new DirectoryScanner(store).scan(dirs);
    store.addRecovered(recovered);
    dirs.refreshAll();
    dirs.start();
    streams = new StreamManager(conf.get(StorageConfig.READ_CHUNK_SIZE));
    replicator = new Replicator(conf, worker);
    context = new ServerContext(store, streams, budget, replicator, worker);
    String host = conf.get(StorageConfig.HOST);
    transport = new TransportServer("dovetail-storage", conf, host,
        conf.get(StorageConfig.PORT), conf.get(StorageConfig.IO_THREADS), budget,
        new StorageRequestHandler(context));
    advertisedHost = advertised(host, conf.get(StorageConfig.ADVERTISED_HOST));
    int metricsPort = conf.get(StorageConfig.METRICS_PORT);
    if (metricsPort >= 0) {
      metrics = new MetricsEndpoint("storage-server");
      StorageMetrics.register(metrics.registry(), context, store, budget, chunkPool, dirs, streams,
          transport);
      metrics.start(host, metricsPort);
    }
    long interval = conf.get(StorageConfig.DISK_CHECK_INTERVAL).toMillis();
    housekeeping.scheduleWithFixedDelay(this::housekeeping, interval, interval,
        TimeUnit.MILLISECONDS);
    String metadata = conf.get(CommonConfig.METADATA_ADDRESS);
    if (metadata.isEmpty()) {
      LOG.warn("No {}: running standalone as incarnation 0; no metadata server knows this "
          + "server, so none places partitions here", CommonConfig.METADATA_ADDRESS.key());
      setIncarnation(0);
    } else {
      registry = new RegistryClient(conf, HostPort.parse(metadata), new Host());
      registry.register();
      registry.start();
    }
  }

  private DataDirs openDirs() throws IOException {
    List<DataDir> list = new ArrayList<>();
    List<String> paths = conf.get(StorageConfig.DIRS);
    long capacity = conf.get(StorageConfig.DIR_CAPACITY);
    long reserve = conf.get(StorageConfig.DISK_RESERVE);
    int flushers = conf.get(StorageConfig.FLUSHER_THREADS_PER_DIR);
    IOException last = null;
    int usable = 0;
    for (int i = 0; i < paths.size(); i++) {
      try {
        DataDir d = new DataDir(i, Path.of(paths.get(i)), capacity, reserve, flushers);
        d.flushStallTimeout(conf.get(StorageConfig.FLUSH_STALL_TIMEOUT));
        list.add(d);
        usable++;
      } catch (IOException e) {
        list.add(DataDir.unusable(i, Path.of(paths.get(i)), e));
        last = e;
      }
    }
    if (usable == 0) {
      throw new IOException("no usable data directory in " + paths, last);
    }
    return new DataDirs(list);
  }

  private static String advertised(String bindHost, String configured) {
    if (!configured.isEmpty()) {
      return configured;
    }
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::") && !bindHost.isEmpty()) {
      return bindHost;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private void housekeeping() {
    try {
      dirs.refreshAllLater();
      store.expireTombstones();
      if (budget.used() > budget.highWatermark() || budget.waitingBytes() > 0) {
        store.requestPressureFlush();
      }
    } catch (RuntimeException e) {
      LOG.error("Housekeeping failed", e);
    }
  }

  private void setIncarnation(long incarnation) {
    store.incarnation(incarnation);
    context.incarnation(incarnation);
  }

  /** The bound data port. */
  public int dataPort() {
    TransportServer t = transport;
    if (t == null) {
      throw new IllegalStateException("storage server is not started");
    }
    return t.port();
  }

  /** The bound port of the metrics endpoint; -1 when it serves none. */
  public int metricsPort() {
    MetricsEndpoint m = metrics;
    return m == null ? -1 : m.port();
  }

  /** The incarnation the metadata server gave this process (0 standalone). */
  public long incarnation() {
    ServerContext c = context;
    return c == null ? ServerContext.UNREGISTERED : c.incarnation();
  }

  /** The host name clients use to reach this server. */
  public String advertisedHost() {
    return advertisedHost;
  }

  /** Bytes of the memory budget accounted now. */
  public long memoryUsedBytes() {
    MemoryBudget b = budget;
    return b == null ? 0 : b.used();
  }

  /** The most bytes of the memory budget ever accounted at once; never above the limit. */
  public long peakMemoryUsedBytes() {
    MemoryBudget b = budget;
    return b == null ? 0 : b.peak();
  }

  /** Completes when the server has closed: after {@link #close()} or after draining. */
  public CompletableFuture<Void> awaitExit() {
    return exit;
  }

  public Lifecycle.State state() {
    return lifecycle.state();
  }

  /** The partition files (tests and diagnostics). */
  PartitionStore store() {
    return store;
  }

  /** Heartbeats the metadata server did not answer since start, for diagnostics. */
  public long failedHeartbeats() {
    RegistryClient r = registry;
    return r == null ? 0 : r.failedBeats();
  }

  /** Open read streams. */
  public int openStreams() {
    StreamManager s = streams;
    return s == null ? 0 : s.openStreams();
  }

  /** Stops serving, stops the flushers (unfinished seals fail), frees memory. Idempotent. */
  @Override
  public void close() {
    if (!lifecycle.closing()) {
      exit.join();
      return;
    }
    LOG.info("Storage server {}:{} closing", advertisedHost,
        transport == null ? -1 : transport.port());
    shutdown();
    lifecycle.closed();
    exit.complete(null);
  }

  private synchronized void shutdown() {
    if (shutDown) {
      return;
    }
    shutDown = true;
    if (context != null) {
      context.closing();
    }
    if (registry != null) {
      registry.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (transport != null) {
      transport.close();
    }
    if (streams != null) {
      streams.closeAll();
    }
    if (replicator != null) {
      replicator.close();
    }
    if (dirs != null) {
      dirs.stop(closeTimeout);
    }
    if (store != null) {
      store.close();
    }
    if (chunkPool != null) {
      chunkPool.close();
    }
    if (budget != null) {
      budget.wakeAll();
    }
    if (housekeeping != null) {
      housekeeping.shutdown();
      awaitQuietly(housekeeping);
    }
    if (worker != null) {
      worker.shutdownNow();
      awaitQuietly(worker);
    }
    if (budget != null && budget.used() != 0) {
      LOG.warn("Memory budget not empty at close (flushes still writing hold their chunks until "
          + "their writes return): {}", budget);
    }
  }

  private static void awaitQuietly(java.util.concurrent.ExecutorService e) {
    try {
      e.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "StorageServer[" + advertisedHost + ":" + (transport == null ? "-" : transport.port())
        + ", incarnation " + incarnation() + ", " + lifecycle.state() + "]";
  }

  /** What the registry client reports and changes. Runs on the registry thread. */
  private final class Host implements RegistryHost {
    @Override
    public String advertisedHost() {
      return advertisedHost;
    }

    @Override
    public int dataPort() {
      return transport.port();
    }

    @Override
    public List<DiskStatus> disks() {
      return dirs.status();
    }

    @Override
    public long memoryUsedBytes() {
      return budget.used();
    }

    @Override
    public long memoryLimitBytes() {
      return memoryLimit;
    }

    @Override
    public long takeRecentPushBytes() {
      return context.takePushedBytes();
    }

    @Override
    public int openStreams() {
      return streams.openStreams();
    }

    @Override
    public List<ShuffleKey> heldShuffles() {
      return store.heldShuffles().stream().map(s -> ShuffleKey.newBuilder()
          .setAppId(s.appId()).setShuffleId(s.shuffleId()).build()).toList();
    }

    @Override
    public List<SealedPartition> sealedFiles() {
      return store.sealedFiles();
    }

    @Override
    public List<LostPartition> drainLost() {
      return store.drainLost();
    }

    @Override
    public void requeueLost(List<LostPartition> lost) {
      store.requeueLost(lost);
    }

    @Override
    public void discard(List<SealedPartition> files) {
      store.discard(files);
    }

    @Override
    public void removeShuffles(List<ShuffleKey> shuffles) {
      for (ShuffleKey k : shuffles) {
        ShuffleId id = new ShuffleId(k.getAppId(), k.getShuffleId());
        streams.closeShuffle(id);
        store.removeShuffle(id);
      }
    }

    @Override
    public void forgetIncarnation() {
      setIncarnation(ServerContext.UNREGISTERED);
      int n = store.abandonUnsealed();
      LOG.warn("Abandoned {} unsealed partition files of the forgotten incarnation", n);
    }

    @Override
    public void incarnation(long incarnation) {
      setIncarnation(incarnation);
    }

    @Override
    public void exitDrained() {
      Thread t = new Thread(StorageServer.this::close, "dovetail-storage-exit");
      t.setDaemon(false);
      t.start();
    }
  }
}
