package io.dovetail.metadata;

import io.dovetail.common.DovetailException;
import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import io.dovetail.common.config.ConfigReference;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.util.PortFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a metadata server process until SIGTERM (or SIGINT), then closes it cleanly.
 *
 * <pre>
 * java -cp ... io.dovetail.metadata.MetadataServerMain \
 *     [--conf-file dovetail.properties] [-c key=value]... [--port-file path]
 * </pre>
 *
 * Exit codes: after SIGTERM, once the shutdown is clean, 143 (as for any JVM stopped by that
 * signal; a systemd unit sets SuccessExitStatus=143), 1 when the server cannot start (store
 * locked or corrupt, port taken), 2 for invalid command lines or configuration (one line on
 * stderr names the problem). Not thread-safe; one instance per process.
 */
@Command(name = "dovetail-metadata-server", mixinStandardHelpOptions = true,
    description = "Runs the Dovetail metadata server.")
public final class MetadataServerMain implements Callable<Integer> {
  static final int EXIT_START_FAILED = 1;
  static final int EXIT_BAD_CONFIG = 2;
  private static final String LOG4J_SHUTDOWN_HOOK = "log4j2.shutdownHookEnabled";

  static {
    // Log4j's own shutdown hook would stop logging while ours still closes the server, losing
    // the shutdown log. Ours stops logging last instead (unless the operator decided otherwise).
    // This must run before the first logger is created.
    if (System.getProperty(LOG4J_SHUTDOWN_HOOK) == null) {
      System.setProperty(LOG4J_SHUTDOWN_HOOK, "false");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(MetadataServerMain.class);

  @Option(names = "--conf-file", paramLabel = "<properties>",
      description = "Java properties file with dovetail.* keys.")
  private Path confFile;

  @Option(names = {"-c", "--conf"}, paramLabel = "<key=value>",
      description = "A configuration value; repeatable; overrides --conf-file.")
  private List<String> overrides = new ArrayList<>();

  @Option(names = "--port-file", paramLabel = "<path>",
      description = "Once serving, write the bound gRPC port here (atomically).")
  private Path portFile;
  /** The port written to {@link #portFile}, for the shutdown hook to take back; -1 before. */
  private volatile int writtenPort = -1;

  private final PrintStream err;

  private MetadataServerMain(PrintStream err) {
    this.err = err;
  }

  public static void main(String[] args) {
    int code = run(args, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Parses {@code args} and runs; returns the exit code (blocks while the server runs). */
  static int run(String[] args, PrintStream err) {
    CommandLine cli = new CommandLine(new MetadataServerMain(err));
    cli.setErr(new java.io.PrintWriter(err, true));
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    MetadataServer server;
    try {
      DovetailConf conf = configuration();
      server = new MetadataServer(conf);
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("dovetail-metadata-server: " + e.getMessage());
      return EXIT_BAD_CONFIG;
    }
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down");
      try {
        server.close();
        if (writtenPort > 0) {
          PortFiles.deleteIfOwned(portFile, writtenPort);
        }
      } finally {
        closed.countDown();
        if ("false".equals(System.getProperty(LOG4J_SHUTDOWN_HOOK))) {
          LogManager.shutdown();
        }
      }
    }, "dovetail-metadata-shutdown"));
    try {
      server.start();
      if (portFile != null) {
        PortFiles.write(portFile, server.port());
        writtenPort = server.port();
      }
    } catch (DovetailException | IOException e) {
      err.println("dovetail-metadata-server: cannot start: " + e.getMessage());
      LOG.error("Metadata server failed to start", e);
      server.close();
      return EXIT_START_FAILED;
    }
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return 0;
  }

  /** The file, then the overrides; every known key's value is validated here. */
  DovetailConf configuration() {
    DovetailConf conf = new DovetailConf();
    if (confFile != null) {
      try {
        conf.setAll(DovetailConf.fromFile(confFile));
      } catch (NoSuchFileException e) {
        throw new ConfigException("configuration file " + confFile + " does not exist");
      } catch (IOException e) {
        throw new ConfigException("cannot read configuration file " + confFile + ": " + e);
      }
    }
    for (String kv : overrides) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("expected key=value after -c, got '" + kv + "'");
      }
      conf.set(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    for (ConfigEntryProvider p : ConfigReference.providers()) {
      for (ConfigEntry<?> e : p.entries()) {
        String value = conf.getRaw(e.key());
        if (value != null) {
          e.parse(value);
        }
      }
    }
    ConfigReference.checkKeys(conf, Set.of("metadata"), new MetadataConfig());
    return conf;
  }

  /** An unusable command line or configuration file. */
  static final class ConfigException extends RuntimeException {
    ConfigException(String message) {
      super(message);
    }
  }
}
