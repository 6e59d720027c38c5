package io.dovetail.storage;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.config.Sizes;
import io.dovetail.common.util.PortFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a storage server as a process.
 *
 * <pre>
 * java -cp ... io.dovetail.storage.StorageServerMain [--conf-file server.properties]
 *     [-c dovetail.storage.dirs=/nvme0/dovetail,/nvme1/dovetail -c ...] [--port-file port.txt]
 * </pre>
 *
 * {@code -c} values override the file. Once registered and serving, the bound data port is written
 * to {@code --port-file} (atomically). Without {@code dovetail.metadata.address} the server runs
 * standalone (no registration, incarnation 0). SIGTERM closes the server cleanly (the JVM then
 * exits as signalled, 143). Exit status otherwise: 0 after a drain, 1 when the server cannot start,
 * 2 for a bad command line or configuration (one line on stderr). Not thread-safe; one per
 * process.
 */
@Command(name = "dovetail-storage-server", mixinStandardHelpOptions = true,
    description = "Dovetail storage server: stores and serves shuffle partition files.")
public final class StorageServerMain implements Callable<Integer> {

  @Option(names = "--conf-file", paramLabel = "<properties>",
      description = "Java properties file with dovetail.* keys.")
  private Path confFile;

  @Option(names = {"-c", "--conf"}, paramLabel = "<key=value>",
      description = "A configuration value (repeatable); overrides --conf-file.")
  private Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--port-file", paramLabel = "<path>",
      description = "Write the bound data port here once serving.")
  private Path portFile;
  /** The port written to {@link #portFile}, for the shutdown hook to take back; -1 before. */
  private volatile int writtenPort = -1;

  private PrintWriter err = new PrintWriter(System.err, true);

  public static void main(String[] args) {
    // Our shutdown hook closes the server and logs while doing so; log4j's own hook would stop
    // logging first. Must be set before the first logger is created (no static loggers here).
    System.setProperty("log4j2.shutdownHookEnabled", "false");
    int code = run(args);
    if (code != 0 || !shuttingDown()) {
      System.exit(code);
    }
  }

  /** Parses {@code args} and runs the server until it exits; returns the exit status. */
  static int run(String... args) {
    StorageServerMain main = new StorageServerMain();
    CommandLine cmd = new CommandLine(main);
    cmd.setParameterExceptionHandler((ex, a) -> {
      cmd.getErr().println("dovetail-storage-server: " + ex.getMessage()
          + " (--help for usage)");
      return 2;
    });
    return cmd.execute(args);
  }

  @Override
  public Integer call() {
    DovetailConf conf;
    StorageServer server;
    try {
      conf = confFile == null ? new DovetailConf() : DovetailConf.fromFile(confFile);
      overrides.forEach(conf::set);
      server = new StorageServer(conf);
      checkDirectMemory(conf.get(StorageConfig.MEMORY_LIMIT),
          io.netty.util.internal.PlatformDependent.maxDirectMemory());
    } catch (IOException e) {
      err.println("dovetail-storage-server: cannot read " + confFile + ": " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("dovetail-storage-server: bad configuration: " + e.getMessage());
      return 2;
    }
    Thread hook = new Thread(() -> {
      server.close();
      if (writtenPort > 0) {
        PortFiles.deleteIfOwned(portFile, writtenPort);
      }
    }, "dovetail-storage-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      server.start();
    } catch (RuntimeException e) {
      err.println("dovetail-storage-server: cannot start: " + e.getMessage());
      log().error("Cannot start", e);
      return 1;
    }
    if (portFile != null) {
      try {
        PortFiles.write(portFile, server.dataPort());
        writtenPort = server.dataPort();
      } catch (IOException e) {
        err.println("dovetail-storage-server: cannot write " + portFile + ": " + e.getMessage());
        server.close();
        return 1;
      }
    }
    server.awaitExit().join();
    return 0;
  }

  /**
   * The memory budget must fit in the process's direct memory with room for the network's
   * buffers: a budget the JVM cannot back fails allocations under load (lost partitions,
   * reset connections) instead of applying backpressure.
   *
   * @throws IllegalArgumentException naming the key and the JVM option to raise
   */
  static void checkDirectMemory(long memoryLimit, long maxDirectMemory) {
    long headroom = Math.max(64L << 20, maxDirectMemory / 8);
    if (memoryLimit > maxDirectMemory - headroom) {
      throw new IllegalArgumentException(StorageConfig.MEMORY_LIMIT.key() + " ("
          + Sizes.humanBytes(memoryLimit) + ") does not fit in the JVM's direct memory ("
          + Sizes.humanBytes(maxDirectMemory) + ") with room for the network's buffers; set "
          + "-XX:MaxDirectMemorySize to at least " + Sizes.humanBytes(
              Math.max(memoryLimit + (64L << 20), memoryLimit * 8 / 7 + 1))
          + " (DOVETAIL_HEAP_OPTS) or lower the limit");
    }
  }

  private static Logger log() {
    return LoggerFactory.getLogger(StorageServerMain.class);
  }

  private static boolean shuttingDown() {
    try {
      Thread probe = new Thread(() -> { });
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
