package org.apache.spark.shuffle.dovetail;

import io.dovetail.client.ClientConfig;
import io.dovetail.client.DovetailClient;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.spark.DovetailRuntime;
import io.dovetail.spark.SparkPluginConfig;
import io.dovetail.spark.codec.BatchFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.network.buffer.ManagedBuffer;
import org.apache.spark.network.client.StreamCallbackWithID;
import org.apache.spark.network.shuffle.MergedBlockMeta;
import org.apache.spark.serializer.SerializerManager;
import org.apache.spark.shuffle.MigratableResolver;
import org.apache.spark.shuffle.ShuffleBlockInfo;
import org.apache.spark.shuffle.ShuffleBlockResolver;
import org.apache.spark.shuffle.ShuffleHandle;
import org.apache.spark.shuffle.ShuffleManager;
import org.apache.spark.shuffle.ShuffleReadMetricsReporter;
import org.apache.spark.shuffle.ShuffleReader;
import org.apache.spark.shuffle.ShuffleWriteMetricsReporter;
import org.apache.spark.shuffle.ShuffleWriter;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.ShuffleMergedBlockId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Seq;

/**
 * Spark's entry point to Dovetail: {@code spark.shuffle.manager=}
 * {@code org.apache.spark.shuffle.dovetail.DovetailShuffleManager}. Every shuffle goes through the
 * store; there is no fallback to Spark's built-in shuffle (a shuffle that cannot be registered
 * fails the job with the reason). With no {@code spark.dovetail.metadata.address}, the driver
 * starts an embedded cluster. Thread-safe.
 */
public final class DovetailShuffleManager implements ShuffleManager {
  private static final Logger LOG = LoggerFactory.getLogger(DovetailShuffleManager.class);
  private static final String LOCAL_READER_KEY = "spark.sql.adaptive.localShuffleReader.enabled";
  private static final String SHUFFLE_IO_KEY = "spark.shuffle.sort.io.plugin.class";
  private static final String SHUFFLE_TRACKING_KEY = "spark.dynamicAllocation.shuffleTracking.enabled";
  private static final String APP_ATTEMPT_KEY = "spark.app.attempt.id";
  private static final String MAX_SIZE_IN_FLIGHT_KEY = "spark.reducer.maxSizeInFlight";
  private static final String REMOVE_DELAY_KEY =
      "spark.standalone.executorRemoveDelayOnDisconnection";

  private final SparkConf sparkConf;
  private final DovetailConf conf;
  private final boolean isDriver;
  private final DovetailRuntime runtime;
  /** The executor's client warm-up, or null where none was started. */
  private final Thread warmUp;
  /**
   * Shuffles known here, by id: the ones this driver registered, and on executors the ones whose
   * tasks ran here (their cached layouts go when Spark unregisters the shuffle). Never the handle:
   * it holds the shuffle's dependency, and Spark's cleaner unregisters a shuffle only once its
   * dependency is garbage, so holding it here would keep every shuffle (and its RDD lineage) for
   * the application's lifetime.
   */
  private final Map<Integer, Known> known = new ConcurrentHashMap<>();

  /** What unregistering a shuffle needs. */
  private record Known(String appId, String metadataAddress) {
    static Known of(DovetailShuffleHandle<?, ?, ?> h) {
      return new Known(h.appId(), h.metadataAddress());
    }
  }

  public DovetailShuffleManager(SparkConf sparkConf, boolean isDriver) {
    this.sparkConf = sparkConf;
    this.isDriver = isDriver;
    Map<String, String> all = new java.util.HashMap<>();
    for (Tuple2<String, String> kv : sparkConf.getAll()) {
      all.put(kv._1(), kv._2());
    }
    this.conf = DovetailConf.fromPrefixed(all, "spark.");
    applyClientDefaults(sparkConf, conf, isDriver);
    this.runtime = new DovetailRuntime(conf, isDriver,
        sparkConf.get("spark.driver.host", "127.0.0.1"));
    if (isDriver) {
      applyDriverDefaults(sparkConf, conf);
    }
    this.warmUp = !isDriver && conf.get(SparkPluginConfig.EXECUTOR_WARM_UP)
        ? warmUpInBackground(runtime) : null;
  }

  /** The executor's client warm-up thread, or null where none was started. */
  Thread warmUpThread() {
    return warmUp;
  }

  /**
   * Creates the executor's client and opens its metadata connection on a daemon thread, so the
   * executor's registration is not delayed and its first shuffle task finds them ready.
   */
  static Thread warmUpInBackground(DovetailRuntime runtime) {
    Thread t = new Thread(() -> {
      long start = System.nanoTime();
      try {
        if (runtime.warmUp()) {
          LOG.info("Dovetail client created and connecting to the metadata server ({} ms)",
              (System.nanoTime() - start) / 1_000_000);
        }
      } catch (RuntimeException e) {
        LOG.warn("Could not warm up the Dovetail client; the first shuffle task will connect: {}",
            e.toString());
      }
    }, "dovetail-warm-up");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Client settings that follow from the application's Spark settings, each applied only when the
   * application did not set the Dovetail key itself.
   */
  static void applyClientDefaults(SparkConf sparkConf, DovetailConf conf, boolean isDriver) {
    // Readers prefetch as much as Spark's own reader would. Spark reads a plain number as MiB.
    if (conf.getRaw(ClientConfig.READ_MAX_IN_FLIGHT.key()) == null
        && sparkConf.contains(MAX_SIZE_IN_FLIGHT_KEY)) {
      String v = sparkConf.get(MAX_SIZE_IN_FLIGHT_KEY).trim();
      long bytes = v.chars().allMatch(Character::isDigit) && !v.isEmpty()
          ? Long.parseLong(v) << 20 : sparkConf.getSizeAsBytes(MAX_SIZE_IN_FLIGHT_KEY);
      conf.set(ClientConfig.READ_MAX_IN_FLIGHT.key(), bytes + "b");
    }
    // An executor runs at most spark.executor.cores tasks at once: its client needs no more event
    // loops than that, however many cores the host has.
    if (!isDriver && conf.getRaw(CommonConfig.CLIENT_THREADS.key()) == null
        && sparkConf.contains("spark.executor.cores")) {
      conf.set(CommonConfig.CLIENT_THREADS.key(),
          Integer.toString(Math.max(1, sparkConf.getInt("spark.executor.cores", 1))));
    }
  }

  /**
   * Spark settings that follow from shuffle data living in Dovetail, each applied only when the
   * application did not set it. They take effect because Spark creates the shuffle manager before
   * it loads the shuffle I/O plugin and the dynamic-allocation manager.
   */
  static void applyDriverDefaults(SparkConf sparkConf, DovetailConf conf) {
    // Shuffle output is reliable: executors can go (dynamic allocation, loss) without recompute.
    setIfMissing(sparkConf, SHUFFLE_IO_KEY, DovetailShuffleDataIO.class.getName());
    // Executors hold no shuffle data, so nothing should keep idle ones alive for it.
    setIfMissing(sparkConf, SHUFFLE_TRACKING_KEY, "false");
    // A standalone driver waits this long after an executor disconnects for its exit code, which
    // decides whether the shuffle output on its host is lost. None is on executors' hosts here;
    // waiting only keeps a gone executor (one dynamic allocation released, too) on the books.
    setIfMissing(sparkConf, REMOVE_DELAY_KEY, "0s");
    if (conf.get(SparkPluginConfig.DISABLE_LOCAL_READER)) {
      setIfMissing(sparkConf, LOCAL_READER_KEY, "false");
    }
  }

  private static void setIfMissing(SparkConf sparkConf, String key, String value) {
    if (!sparkConf.contains(key)) {
      sparkConf.set(key, value);
      LOG.info("Dovetail sets {}={} (set it explicitly to override)", key, value);
    }
  }

  /** Distinguishes this driver's run in the store's application name. */
  private final String runTag =
      Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 23, 36);

  public DovetailRuntime runtime() {
    return runtime;
  }

  @Override
  public <K, V, C> ShuffleHandle registerShuffle(int shuffleId,
      ShuffleDependency<K, V, C> dependency) {
    String appId = storeAppId();
    int numMaps = dependency.rdd().partitions().length;
    int numPartitions = dependency.partitioner().numPartitions();
    String address = runtime.metadataAddress();
    runtime.ensureApplication(appId);
    runtime.client(address).registerShuffle(appId, shuffleId, numMaps, numPartitions,
        conf.get(SparkPluginConfig.REPLICATION));
    BatchFormat batchFormat =
        BatchFormat.choose(sparkConf, conf.get(SparkPluginConfig.BATCH_FORMAT));
    DovetailShuffleHandle<K, V, C> handle = new DovetailShuffleHandle<>(shuffleId, dependency,
        appId, address, numMaps, numPartitions, batchFormat);
    known.put(shuffleId, Known.of(handle));
    return handle;
  }

  /**
   * This driver's application in the store: {@link #storeAppId(SparkConf)} and a random tag of
   * this run. Spark's ids repeat across clusters and runs (local-&lt;ms&gt;, app-&lt;second&gt;-0000
   * of two standalone masters, a fixed spark.app.id), and two drivers under one name would share
   * shuffles, commits and deletions: one would read the other's map output. Executors take the
   * name from the shuffle handle.
   */
  public String storeAppId() {
    return storeAppId(sparkConf) + "." + runTag;
  }

  /**
   * Spark's application id, with the attempt when there is one. A resource manager that retries a
   * whole application (YARN) keeps its id, and the new attempt's shuffles, numbered from 0 again,
   * must not meet the old attempt's data and commits.
   */
  static String storeAppId(SparkConf sparkConf) {
    String appId = sparkConf.getAppId();
    Option<String> attempt = sparkConf.getOption(APP_ATTEMPT_KEY);
    return attempt.isDefined() ? appId + "_attempt-" + attempt.get() : appId;
  }

  private DovetailClient client(DovetailShuffleHandle<?, ?, ?> handle) {
    return runtime.client(handle.metadataAddress());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> ShuffleWriter<K, V> getWriter(ShuffleHandle handle, long mapId,
      TaskContext context, ShuffleWriteMetricsReporter metrics) {
    DovetailShuffleHandle<K, V, ?> h = (DovetailShuffleHandle<K, V, ?>) handle(handle);
    known.putIfAbsent(h.shuffleId(), Known.of(h));
    return new DovetailShuffleWriter<>(h, mapId, context, metrics, client(h), conf);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, C> ShuffleReader<K, C> getReader(ShuffleHandle handle, int startMapIndex,
      int endMapIndex, int startPartition, int endPartition, TaskContext context,
      ShuffleReadMetricsReporter metrics) {
    DovetailShuffleHandle<K, ?, C> h = (DovetailShuffleHandle<K, ?, C>) handle(handle);
    known.putIfAbsent(h.shuffleId(), Known.of(h));
    return new DovetailShuffleReader<>(h, startMapIndex, endMapIndex, startPartition,
        endPartition, context, metrics, client(h));
  }

  private static DovetailShuffleHandle<?, ?, ?> handle(ShuffleHandle handle) {
    if (!(handle instanceof DovetailShuffleHandle<?, ?, ?> h)) {
      throw new IllegalStateException("shuffle " + handle.shuffleId() + " was not registered "
          + "with Dovetail (handle " + handle.getClass().getName() + "); mixing shuffle managers "
          + "within one application is not supported");
    }
    return h;
  }

  @Override
  public boolean unregisterShuffle(int shuffleId) {
    Known k = known.remove(shuffleId);
    if (k == null) {
      return true;
    }
    DovetailClient client = runtime.client(k.metadataAddress());
    if (isDriver) {
      try {
        client.unregisterShuffle(k.appId(), shuffleId);
      } catch (RuntimeException e) {
        LOG.warn("Could not unregister shuffle {}: {}", shuffleId, e.getMessage());
      }
    } else {
      client.forgetShuffle(k.appId(), shuffleId);
    }
    return true;
  }

  @Override
  public ShuffleBlockResolver shuffleBlockResolver() {
    return NoLocalBlocks.INSTANCE;
  }

  @Override
  public void stop() {
    runtime.close();
  }

  /** Dovetail keeps no shuffle blocks on executors; asking for one is a bug. */
  private static final class NoLocalBlocks implements ShuffleBlockResolver, MigratableResolver {
    static final NoLocalBlocks INSTANCE = new NoLocalBlocks();

    /**
     * A decommissioning executor migrates its shuffle blocks through this resolver (Spark casts
     * to it): there are none to move, so decommissioning goes on to the cached blocks.
     */
    @Override
    public Seq<ShuffleBlockInfo> getStoredShuffles() {
      return scala.collection.immutable.List$.MODULE$.empty();
    }

    @Override
    public scala.collection.immutable.List<Tuple2<BlockId, ManagedBuffer>> getMigrationBlocks(
        ShuffleBlockInfo shuffleBlockInfo) {
      return scala.collection.immutable.List$.MODULE$.empty();
    }

    @Override
    public StreamCallbackWithID putShuffleBlockAsStream(BlockId blockId,
        SerializerManager serializerManager) {
      throw new UnsupportedOperationException("Dovetail shuffle data lives in the store; "
          + "executors take no migrated shuffle block (" + blockId + ")");
    }

    @Override
    public ManagedBuffer getBlockData(BlockId blockId, Option<String[]> dirs) {
      throw new UnsupportedOperationException("Dovetail stores shuffle block " + blockId
          + " remotely; executors hold none");
    }

    @Override
    public Seq<BlockId> getBlocksForShuffle(int shuffleId, long mapId) {
      return scala.collection.immutable.List$.MODULE$.empty();
    }

    @Override
    public Seq<ManagedBuffer> getMergedBlockData(ShuffleMergedBlockId blockId,
        Option<String[]> dirs) {
      throw new UnsupportedOperationException("no merged blocks in Dovetail");
    }

    @Override
    public MergedBlockMeta getMergedBlockMeta(ShuffleMergedBlockId blockId,
        Option<String[]> dirs) {
      throw new UnsupportedOperationException("no merged blocks in Dovetail");
    }

    @Override
    public void stop() {}
  }
}
