package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.Await;
import io.dovetail.testkit.TestDirs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The assembled distribution: its layout, and bin/dovetail as a user runs it. */
class DistributionIT {
  static final Duration QUICK = Duration.ofSeconds(60);
  final Path dir = TestDirs.create("dist-it");
  final Path home = BinDovetail.home();

  @Test
  void theDistributionHoldsEverythingTheCommandsNeed() throws Exception {
    assertThat(home.resolve("bin/dovetail")).isExecutable();
    assertThat(home.resolve("conf/log4j2.xml")).isRegularFile();
    assertThat(Files.readString(home.resolve("conf/dovetail.properties")))
        .contains("#dovetail.metadata.port=", "#dovetail.storage.dirs=");
    assertThat(Files.readString(home.resolve("conf/spark-dovetail.conf")))
        .contains("spark.shuffle.manager=", "#spark.dovetail.shuffle.replication=");
    try (var jars = Files.list(home.resolve("plugin"))) {
      assertThat(jars).singleElement().asString().endsWith("-shaded.jar");
    }
    try (var jars = Files.list(home.resolve("examples"))) {
      assertThat(jars).singleElement().asString().contains("dovetail-examples-");
    }
    try (var jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("dovetail-dist-"))
          .noneMatch(n -> n.startsWith("spark-") || n.startsWith("dovetail-examples")
              || n.startsWith("dovetail-spark-"));
    }
    try (var jars = Files.list(home.resolve("spark/jars"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("spark-core_2.13-4.1"));
    }
  }

  @Test
  void versionAndUsageErrors() {
    BinDovetail.Result v = BinDovetail.run(dir, "version", QUICK, Map.of(), "--version");
    assertThat(v.status()).isZero();
    assertThat(v.out()).startsWith("Dovetail 0.");
    BinDovetail.Result bad = BinDovetail.run(dir, "bad", QUICK, Map.of(), "status");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("no metadata server", "Usage: dovetail status");
    BinDovetail.Result unknown = BinDovetail.run(dir, "unknown", QUICK, Map.of(), "restart");
    assertThat(unknown.status()).isEqualTo(2);
  }

  /** The script's JVM options, conf directory and logging work for a real server. */
  @Test
  void aMetadataServerStartedByTheScriptLogsToItsDirectoryAndAnswersStatus() throws Exception {
    Path logs = dir.resolve("logs");
    Path portFile = dir.resolve("meta.port");
    Process server = BinDovetail.start(dir, "metadata", Map.of("DOVETAIL_LOG_DIR",
        logs.toString(), "DOVETAIL_HEAP_OPTS", "-Xmx256m"), "metadata-server",
        "-c", "dovetail.metadata.host=127.0.0.1", "-c", "dovetail.metadata.port=0",
        "-c", "dovetail.metadata.dbDir=" + dir.resolve("db"), "--port-file", portFile.toString());
    try {
      Await.until(QUICK, "the port file", () -> {
        assertThat(server.isAlive()).as("metadata server alive").isTrue();
        return Files.exists(portFile);
      });
      String address = "127.0.0.1:" + Files.readString(portFile).trim();
      BinDovetail.Result status = BinDovetail.run(dir, "status", QUICK, Map.of(), "status",
          "--metadata", address);
      assertThat(status.status()).as(status.err()).isZero();
      assertThat(status.out()).startsWith("Storage servers: 0");
      assertThat(logs.resolve("metadata-server.log")).isRegularFile();
      assertThat(Files.readString(logs.resolve("metadata-server.log"))).contains("INFO");
    } finally {
      server.destroy();
    }
    assertThat(server.waitFor()).as("SIGTERM stops it cleanly").isIn(0, 143);
  }

  @Test
  void theDemoRefusesABusyPortBeforeStartingAnything() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int base = held.getLocalPort() - 3;
      BinDovetail.Result r = BinDovetail.run(dir, "busy", QUICK, Map.of(), "demo",
          "--port-base", Integer.toString(base), "--work-dir", dir.resolve("demo").toString());
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).contains("port " + held.getLocalPort()
          + " on 127.0.0.1 (for the Spark master) is in use by pid "
          + ProcessHandle.current().pid());
      assertThat(BinDovetail.running()).isEmpty();
    }
  }
}
