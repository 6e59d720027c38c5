package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.dovetail.client.DovetailClient;
import io.dovetail.client.push.ShufflePusher;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.JavaProcess;
import io.dovetail.testkit.PortFile;
import io.dovetail.testkit.TestDirs;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The admin subcommands against real servers, which are themselves started through the command
 * line's {@code metadata-server} and {@code storage-server} subcommands. The drain test stops a
 * server the others count, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliAgainstServersIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String CLI = "io.dovetail.cli.DovetailCli";
  static Path dir;
  static JavaProcess metadata;
  static final List<JavaProcess> storage = new ArrayList<>();
  static final List<Integer> storagePorts = new ArrayList<>();
  static String address;
  static DovetailClient client;

  final List<String> apps = new ArrayList<>();

  @BeforeAll
  static void startServers() {
    dir = TestDirs.create("cli-it");
    metadata = server("metadata", "metadata-server", "dovetail.metadata.host=127.0.0.1",
        "dovetail.metadata.port=0", "dovetail.metadata.dbDir=" + dir.resolve("db"),
        "dovetail.metadata.server.heartbeatInterval=300ms");
    address = "127.0.0.1:" + PortFile.await(dir.resolve("metadata.port"), metadata, WAIT);
    for (int i = 0; i < 2; i++) {
      storage.add(server("storage-" + i, "storage-server",
          "dovetail.metadata.address=" + address, "dovetail.storage.host=127.0.0.1",
          "dovetail.storage.advertisedHost=127.0.0.1", "dovetail.storage.port=0",
          "dovetail.storage.dirs=" + dir.resolve("data-" + i),
          "dovetail.storage.memoryLimit=64m", "dovetail.transport.maxFrameSize=16m"));
    }
    for (int i = 0; i < 2; i++) {
      storagePorts.add(PortFile.await(dir.resolve("storage-" + i + ".port"), storage.get(i),
          WAIT));
    }
    client = new DovetailClient("cli-it", new DovetailConf()
        .set("dovetail.metadata.address", address));
  }

  static JavaProcess server(String name, String subcommand, String... conf) {
    List<String> args = new ArrayList<>(List.of(subcommand));
    for (String kv : conf) {
      args.add("-c");
      args.add(kv);
    }
    args.add("--port-file");
    args.add(dir.resolve(name + ".port").toString());
    return JavaProcess.builder(CLI).name(name).args(args).logFile(dir.resolve(name + ".log"))
        .start();
  }

  @AfterEach
  void unregisterApplications() {
    apps.forEach(client::unregisterApplication);
  }

  @AfterAll
  static void stopServers() {
    if (client != null) {
      client.close();
    }
    storage.forEach(JavaProcess::close);
    if (metadata != null) {
      metadata.close();
    }
  }

  /** Registers an application and a shuffle, and commits map 0 with data on every partition. */
  String shuffleWithData(String app, int maps, int partitions) {
    client.registerApplication(app);
    apps.add(app);
    client.registerShuffle(app, 0, maps, partitions, 1);
    try (ShufflePusher p = client.pusher(app, 0, 0, 1, 0)) {
      for (int part = 0; part < partitions; part++) {
        p.push(part, Unpooled.wrappedBuffer(new byte[1000]), 10);
      }
      assertThat(p.commit().committed()).isTrue();
    }
    return app;
  }

  @Test
  void statusListsServersApplicationsAndShuffles() throws Exception {
    shuffleWithData("status-app", 2, 6);
    CliRun r = CliRun.of("status", "--metadata", address);
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("Storage servers: 2 (2 active)",
        "127.0.0.1:" + storagePorts.get(0), "127.0.0.1:" + storagePorts.get(1),
        "Applications: 1", "status-app", "Shuffles: 1", "1/2");
    String shuffleRow = r.out().lines().filter(l -> l.contains("status-app")
        && l.contains("1/2")).findFirst().orElseThrow();
    assertThat(shuffleRow).containsSubsequence("status-app", "0", "1/2", "6", "1", "5.9 KiB");

    CliRun json = CliRun.of("status", "--metadata", address, "--json");
    assertThat(json.status()).isZero();
    GetClusterStatusResponse.Builder parsed = GetClusterStatusResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), parsed);
    assertThat(parsed.getServersList()).extracting(s -> s.getServer().getDataPort())
        .containsExactlyInAnyOrderElementsOf(storagePorts);
    assertThat(parsed.getServersList()).allMatch(s -> s.getServer().getState()
        == ServerState.ACTIVE && s.getMemoryLimitBytes() == 64L << 20);
    assertThat(parsed.getShuffles(0).getCommittedMaps()).isEqualTo(1);
    assertThat(json.out()).contains("\"data_port\"", "\"committed_bytes\"");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void aDrainedServerGetsNoNewPartitionsAndExitsOnceItHoldsNothing() throws Exception {
    shuffleWithData("drain-app", 1, 8);
    int port = storagePorts.get(0);
    JavaProcess drained = storage.get(0);
    CliRun r = CliRun.of("drain", "--metadata", address, "127.0.0.1:" + port);
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("127.0.0.1:" + port, "is DRAINING");
    assertThat(CliRun.of("status", "-m", address).out()).contains("(1 active, 1 draining)");

    // New shuffles avoid it; it keeps serving what it holds for as long as it holds it.
    client.registerApplication("after-drain");
    apps.add("after-drain");
    ShuffleLayout layout = client.registerShuffle("after-drain", 0, 1, 8, 1);
    assertThat(layout.getServersList()).extracting(ServerInfo::getDataPort).doesNotContain(port);
    // It heard it drains (the log line comes before its check of what it holds) and stays.
    Await.until(WAIT, "the drained server hears of the drain",
        () -> drained.log().contains("Draining: serving what this server holds"));
    assertThat(drained.isAlive()).isTrue();
    assertThat(drained.log()).doesNotContain("said goodbye");

    CompletableFuture<CliRun> wait = CompletableFuture.supplyAsync(() ->
        CliRun.of("drain", "--metadata", address, "--wait", "--timeout", "60",
            "127.0.0.1:" + port));
    // It can only report the exit (below) if it waited for it: the server holds data until now.
    apps.forEach(client::unregisterApplication);
    apps.clear();
    CliRun waited = wait.get(90, TimeUnit.SECONDS);
    assertThat(waited.status()).as(waited.err()).isZero();
    assertThat(waited.out()).contains("has exited");
    assertThat(drained.awaitExit(WAIT)).isTrue();
    assertThat(drained.exitValue()).as("a drained server exits with 0").isZero();
    Await.until(WAIT, "EXITED in status", () -> CliRun.of("status", "-m", address).out()
        .contains("(1 active, 1 exited)"));
  }

  @Test
  void drainingAnUnknownServerFailsWithTheReason() {
    CliRun r = CliRun.of("drain", "--metadata", address, "127.0.0.1:1");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("dovetail drain: cannot drain 127.0.0.1:1: ")
        .contains("no live storage server at 127.0.0.1:1");
  }

  @Test
  void serverSubcommandsKeepTheServersExitStatusForBadConfiguration() {
    JavaProcess bad = JavaProcess.builder(CLI).name("bad-storage")
        .args("storage-server", "-c", "dovetail.storage.memoryLimit=lots")
        .logFile(dir.resolve("bad-storage.log")).start();
    assertThat(bad.awaitExit(WAIT)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(2);
    assertThat(bad.log()).contains("dovetail-storage-server: bad configuration",
        "dovetail.storage.memoryLimit");
    JavaProcess usage = JavaProcess.builder(CLI).name("bad-metadata")
        .args("metadata-server", "--port-fil", "x").logFile(dir.resolve("bad-metadata.log"))
        .start();
    assertThat(usage.awaitExit(WAIT)).isTrue();
    assertThat(usage.exitValue()).isEqualTo(2);
    assertThat(usage.log()).contains("Unknown options: '--port-fil'",
        "Possible solutions: --port-file");
  }
}
