package io.dovetail.testkit;

import java.net.ServerSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Dovetail cluster of real processes on 127.0.0.1: one metadata server and N storage servers,
 * each a child JVM started from the test class path (which must hold the server modules).
 * Servers can be killed with SIGKILL and restarted on the same port and directories.
 * {@link #close()} kills whatever is still running. Not thread-safe.
 */
public final class ProcessCluster implements AutoCloseable {
  public static final String METADATA_MAIN = "io.dovetail.metadata.MetadataServerMain";
  public static final String STORAGE_MAIN = "io.dovetail.storage.StorageServerMain";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path baseDir;
  private final Map<String, String> conf;
  /** 0 until the metadata server first started; then the port it bound, kept for restarts. */
  private int metadataPort;
  private JavaProcess metadata;
  private final List<Storage> storage = new ArrayList<>();

  /** One storage server: the port it first bound and its directory survive restarts. */
  public final class Storage {
    private final int index;
    private int port;
    private final Path dir;
    private final Map<String, String> extraConf;
    private JavaProcess process;

    private Storage(int index, Map<String, String> extraConf) {
      this.index = index;
      this.dir = baseDir.resolve("storage-" + index);
      this.extraConf = extraConf;
    }

    /** The data port; 0 before the first start. */
    public int port() {
      return port;
    }

    public Path dir() {
      return dir;
    }

    public JavaProcess process() {
      return process;
    }

    public void kill9() {
      process.kill9();
    }

    public void start() {
      Map<String, String> c = new LinkedHashMap<>(conf);
      c.put("dovetail.storage.host", "127.0.0.1");
      c.put("dovetail.storage.advertisedHost", "127.0.0.1");
      c.put("dovetail.storage.port", Integer.toString(port));
      c.put("dovetail.storage.dirs", dir.toString());
      c.put("dovetail.metadata.address", metadataAddress());
      c.putAll(extraConf);
      Launched l = launch(STORAGE_MAIN, "storage-" + index, c);
      process = l.process();
      port = l.port();
    }
  }

  public ProcessCluster(Path baseDir, Map<String, String> conf) {
    this.baseDir = baseDir;
    this.conf = new LinkedHashMap<>(conf);
  }

  /** Starts the metadata server and {@code n} storage servers, waiting until each serves. */
  public ProcessCluster start(int n) {
    try {
      startMetadata();
      for (int i = 0; i < n; i++) {
        addStorage(Map.of()).start();
      }
    } catch (RuntimeException | Error e) {
      close(); // the caller never gets the cluster to close: nothing started may outlive this
      throw e;
    }
    return this;
  }

  /** A storage server to be started later, with extra configuration. */
  public Storage addStorage(Map<String, String> extraConf) {
    Storage s = new Storage(storage.size(), extraConf);
    storage.add(s);
    return s;
  }

  public void startMetadata() {
    Map<String, String> c = new LinkedHashMap<>(conf);
    c.put("dovetail.metadata.host", "127.0.0.1");
    c.put("dovetail.metadata.port", Integer.toString(metadataPort));
    c.put("dovetail.metadata.dbDir", baseDir.resolve("metadata").toString());
    Launched l = launch(METADATA_MAIN, "metadata", c);
    metadata = l.process();
    metadataPort = l.port();
  }

  public JavaProcess metadata() {
    return metadata;
  }

  public String metadataAddress() {
    if (metadataPort == 0) {
      throw new IllegalStateException("the metadata server has not been started");
    }
    return "127.0.0.1:" + metadataPort;
  }

  public Storage storage(int index) {
    return storage.get(index);
  }

  public List<Storage> storageServers() {
    return List.copyOf(storage);
  }

  private record Launched(JavaProcess process, int port) {}

  /**
   * Starts a server and waits for its port file. A first start asks for port 0, so no other
   * process can take the port between choosing and binding it; a restart asks for the same port.
   */
  private Launched launch(String main, String name, Map<String, String> c) {
    try {
      Files.createDirectories(baseDir);
      Path portFile = baseDir.resolve(name + ".port");
      Files.deleteIfExists(portFile);
      List<String> args = new ArrayList<>();
      c.forEach((k, v) -> {
        args.add("--conf");
        args.add(k + "=" + v);
      });
      args.add("--port-file");
      args.add(portFile.toString());
      JavaProcess p = JavaProcess.builder(main).name(name).args(args)
          .logFile(baseDir.resolve(name + ".log")).start();
      try {
        return new Launched(p, PortFile.await(portFile, p, START_TIMEOUT));
      } catch (RuntimeException | Error e) {
        p.close(); // not recorded yet, so close() would not find it
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port that was free a moment ago (servers that must keep their port across restarts). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Storage s : storage) {
      if (s.process != null) {
        s.process.close();
      }
    }
    if (metadata != null) {
      metadata.close();
    }
  }
}
