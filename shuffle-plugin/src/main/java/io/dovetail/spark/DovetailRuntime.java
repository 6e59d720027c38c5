package io.dovetail.spark;

import io.dovetail.client.DovetailClient;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.local.LocalCluster;
import io.dovetail.common.local.LocalClusterProvider;
import io.dovetail.common.util.HostPort;
import io.dovetail.common.util.Threads;
import io.dovetail.proto.RegisterApplicationResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dovetail's state in one Spark JVM (driver or executor): store clients by metadata address, and
 * on the driver the application's registration, its heartbeats and the embedded cluster started
 * when no metadata address is configured. Thread-safe.
 */
public final class DovetailRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DovetailRuntime.class);

  private final DovetailConf conf;
  private final boolean isDriver;
  private final String driverHost;
  private final Map<String, DovetailClient> clients = new ConcurrentHashMap<>();
  private volatile String metadataAddress;
  private LocalCluster embedded;
  private Path embeddedDir;
  private boolean deleteEmbeddedDir;
  private String registeredApp;
  private ScheduledExecutorService heartbeats;
  private volatile boolean closed;

  public DovetailRuntime(DovetailConf conf, boolean isDriver, String driverHost) {
    this.conf = conf;
    this.isDriver = isDriver;
    this.driverHost = driverHost;
    String configured = conf.get(CommonConfig.METADATA_ADDRESS);
    this.metadataAddress = configured.isEmpty() ? null : configured;
  }

  public DovetailConf conf() {
    return conf;
  }

  public boolean isDriver() {
    return isDriver;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  /** The metadata server's address; on a driver without one configured, starts the embedded cluster. */
  public synchronized String metadataAddress() {
    if (metadataAddress == null) {
      if (!isDriver) {
        throw new IllegalStateException("executors learn the metadata address from the handle");
      }
      startEmbedded();
    }
    return metadataAddress;
  }

  private void startEmbedded() {
    String dir = conf.get(SparkPluginConfig.EMBEDDED_DIR);
    try {
      deleteEmbeddedDir = dir.isEmpty();
      embeddedDir = dir.isEmpty() ? Files.createTempDirectory("dovetail-embedded-") : Path.of(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Storage servers flush and read for every executor, so the embedded servers get a memory
    // limit that fits in a driver unless configured otherwise.
    DovetailConf c = conf.copy();
    if (c.getRaw("dovetail.storage.memoryLimit") == null) {
      c.set("dovetail.storage.memoryLimit", "256m");
    }
    if (c.getRaw("dovetail.transport.maxFrameSize") == null) {
      c.set("dovetail.transport.maxFrameSize", "64m");
    }
    int servers = conf.get(SparkPluginConfig.EMBEDDED_STORAGE_SERVERS);
    embedded = LocalClusterProvider.load(getClass().getClassLoader())
        .start(c, driverHost, embeddedDir, servers);
    metadataAddress = embedded.metadataAddress().toString();
    LOG.info("Started the embedded Dovetail cluster at {} ({} storage servers, data in {})",
        metadataAddress, servers, embeddedDir);
  }

  /** The shared store client for {@code address}. */
  public DovetailClient client(String address) {
    if (closed) {
      throw new IllegalStateException("Dovetail runtime is stopped");
    }
    DovetailClient client = clients.computeIfAbsent(address, a -> {
      DovetailConf c = conf.copy().set(CommonConfig.METADATA_ADDRESS.key(), a);
      if (c.getRaw("dovetail.transport.maxFrameSize") == null && isEmbedded()) {
        c.set("dovetail.transport.maxFrameSize", "64m");
      }
      return new DovetailClient(isDriver ? "dovetail-driver" : "dovetail-executor",
          HostPort.parse(a), c);
    });
    if (closed) {
      // Created while close() ran (an executor's warm-up as it stops): close() may have missed it,
      // or cleared it from the map without closing it. Closing a client twice is harmless.
      clients.remove(address, client);
      client.close();
      throw new IllegalStateException("Dovetail runtime is stopped");
    }
    return client;
  }

  /**
   * On an executor with a configured metadata address, creates its client and starts connecting
   * to the metadata server; returns false (doing nothing) where there is no address to warm up
   * (the driver, or an executor that learns the address from shuffle handles).
   */
  public boolean warmUp() {
    String address = metadataAddress;
    if (isDriver || address == null || closed) {
      return false;
    }
    client(address).metadata().connect();
    return true;
  }

  /** True if a client for {@code address} exists; never creates one. */
  public boolean hasClient(String address) {
    return clients.containsKey(address);
  }

  /**
   * Registers {@code appId} once and keeps it alive with heartbeats (driver only), at the
   * configured interval or the one the metadata server asks for, whichever is shorter. An
   * application the metadata server no longer knows (its TTL ran out while the driver could not
   * reach it) is registered again by the next heartbeat, so that later shuffles work; what its
   * earlier shuffles held is gone.
   */
  public synchronized void ensureApplication(String appId) {
    if (appId.equals(registeredApp)) {
      return;
    }
    DovetailClient client = client(metadataAddress());
    RegisterApplicationResponse registered = client.registerApplication(appId);
    long every = heartbeatIntervalMs(conf.get(SparkPluginConfig.APP_HEARTBEAT).toMillis(),
        registered.getHeartbeatIntervalMs());
    ScheduledExecutorService beats =
        Executors.newSingleThreadScheduledExecutor(Threads.named("dovetail-app-heartbeat"));
    beats.scheduleWithFixedDelay(() -> heartbeat(client, appId), every, every,
        TimeUnit.MILLISECONDS);
    heartbeats = beats;
    registeredApp = appId;
    LOG.info("Registered application {} with the Dovetail metadata server at {} (TTL {} ms, "
        + "heartbeat every {} ms)", appId, metadataAddress, registered.getTtlMs(), every);
  }

  /** The configured interval, or the server's when it asks for a shorter one. */
  public static long heartbeatIntervalMs(long configuredMs, long serverMs) {
    return serverMs > 0 ? Math.min(configuredMs, serverMs) : configuredMs;
  }

  private void heartbeat(DovetailClient client, String appId) {
    try {
      client.heartbeat(appId);
    } catch (DovetailException e) {
      if (e.code() == ErrorCode.UNKNOWN_APPLICATION) {
        LOG.error("The Dovetail metadata server no longer knows application {} (its TTL ran out: "
            + "the driver could not reach it for that long); registering it again. Shuffles "
            + "written before are gone from the store", appId);
        try {
          client.registerApplication(appId);
        } catch (RuntimeException again) {
          LOG.warn("Could not register application {} again: {}", appId, again.getMessage());
        }
      } else {
        LOG.warn("Heartbeat of application {} failed: {}", appId, e.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.warn("Heartbeat of application {} failed: {}", appId, e.toString());
    } catch (Error e) {
      // Keep beating: an uncaught throwable would cancel the schedule, and the application
      // would expire in the middle of its jobs.
      LOG.error("Heartbeat of application {} failed", appId, e);
    }
  }

  /** Stops heartbeats, unregisters the application, closes clients and the embedded cluster. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (heartbeats != null) {
      heartbeats.shutdownNow();
    }
    if (registeredApp != null) {
      try {
        clients.get(metadataAddress).unregisterApplication(registeredApp);
      } catch (RuntimeException e) {
        LOG.warn("Could not unregister application {}: {}", registeredApp, e.getMessage());
      }
    }
    clients.values().forEach(c -> {
      try {
        c.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing a store client failed", e);
      }
    });
    clients.clear();
    if (embedded != null) {
      embedded.close();
      embedded = null;
      if (deleteEmbeddedDir) {
        try (Stream<Path> walk = Files.walk(embeddedDir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          LOG.debug("Cannot delete {}", embeddedDir, e);
        }
      }
    }
  }
}
