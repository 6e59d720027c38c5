package io.dovetail.embedded;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.metadata.MetadataConfig;
import io.dovetail.metadata.MetadataServer;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.ServerState;
import io.dovetail.storage.StorageConfig;
import io.dovetail.storage.StorageServer;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metadata server and storage servers in this JVM, bound to a loopback address on free ports.
 * {@link #start()} returns once every storage server is registered. Thread-safe for reads;
 * start, stop and close are called by one owner.
 */
public final class EmbeddedCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

  private final DovetailConf conf;
  private final Path baseDir;
  private final boolean deleteOnClose;
  private final String host;
  private final int storageServers;
  private MetadataServer metadata;
  private final List<StorageServer> storage = new ArrayList<>();

  private EmbeddedCluster(Builder b) {
    this.conf = b.conf.copy();
    this.host = b.host;
    this.storageServers = b.storageServers;
    try {
      this.deleteOnClose = b.baseDir == null;
      this.baseDir = b.baseDir != null ? b.baseDir : Files.createTempDirectory("dovetail-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the metadata server, then the storage servers, and waits for their registration. */
  public EmbeddedCluster start() {
    DovetailConf mc = conf.copy()
        .set(MetadataConfig.HOST.key(), host)
        .set(MetadataConfig.PORT.key(), "0")
        .set(MetadataConfig.DB_DIR.key(), baseDir.resolve("metadata").toString());
    metadata = new MetadataServer(mc);
    metadata.start();
    for (int i = 0; i < storageServers; i++) {
      storage.add(startStorage(i));
    }
    awaitRegistered(storageServers);
    LOG.info("Embedded Dovetail cluster up: metadata at {}, {} storage servers under {}",
        metadataAddress(), storageServers, baseDir);
    return this;
  }

  private StorageServer startStorage(int index) {
    DovetailConf sc = conf.copy()
        .set(StorageConfig.HOST.key(), host)
        .set(StorageConfig.ADVERTISED_HOST.key(), host)
        .set(StorageConfig.PORT.key(), "0")
        .set(StorageConfig.DIRS.key(), baseDir.resolve("storage-" + index).toString())
        .set(CommonConfig.METADATA_ADDRESS.key(), metadataAddress().toString());
    StorageServer s = new StorageServer(sc);
    s.start();
    return s;
  }

  /** Waits until {@code n} storage servers are ACTIVE in the metadata server's view. */
  private void awaitRegistered(int n) {
    ManagedChannel channel = Rpc.channel(metadataAddress(), conf);
    try {
      var admin = AdminServiceGrpc.newBlockingStub(channel);
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        long active = admin.withDeadlineAfter(10, TimeUnit.SECONDS)
            .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getServersList()
            .stream().filter(s -> s.getServer().getState() == ServerState.ACTIVE).count();
        if (active >= n) {
          return;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new DovetailException(ErrorCode.TIMEOUT,
              "only " + active + " of " + n + " storage servers registered");
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted", e);
    } finally {
      Rpc.shutdown(channel);
    }
  }

  public HostPort metadataAddress() {
    return new HostPort(host, metadata.port());
  }

  public MetadataServer metadataServer() {
    return metadata;
  }

  public List<StorageServer> storageServers() {
    return List.copyOf(storage);
  }

  public StorageServer storageServer(int index) {
    return storage.get(index);
  }

  /** Configuration a client of this cluster needs: the given one plus the metadata address. */
  public DovetailConf clientConf() {
    return conf.copy().set(CommonConfig.METADATA_ADDRESS.key(), metadataAddress().toString());
  }

  public Path baseDir() {
    return baseDir;
  }

  @Override
  public void close() {
    for (StorageServer s : storage) {
      try {
        s.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing storage server failed", e);
      }
    }
    storage.clear();
    if (metadata != null) {
      metadata.close();
      metadata = null;
    }
    if (deleteOnClose) {
      deleteRecursively(baseDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("Cannot delete {}: {}", dir, e.toString());
    }
  }

  /** Configures an {@link EmbeddedCluster}. */
  public static final class Builder {
    private DovetailConf conf = new DovetailConf();
    private Path baseDir;
    private String host = "127.0.0.1";
    private int storageServers = 1;

    public Builder conf(DovetailConf conf) {
      this.conf = conf;
      return this;
    }

    /** Where state and data go; a temporary directory (deleted on close) by default. */
    public Builder baseDir(Path dir) {
      this.baseDir = dir;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder storageServers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("at least one storage server");
      }
      this.storageServers = n;
      return this;
    }

    public EmbeddedCluster build() {
      return new EmbeddedCluster(this);
    }
  }
}
