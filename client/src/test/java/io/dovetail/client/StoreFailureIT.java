package io.dovetail.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.client.push.ShufflePusher;
import io.dovetail.client.read.PartitionsLostException;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.ProcessCluster;
import io.dovetail.testkit.TestDirs;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store under process failures: servers are real processes, killed with SIGKILL. */
@ExtendWith(NettyLeakDetectionExtension.class)
class StoreFailureIT {
  static final String APP = "app-failures";
  static final Map<String, String> CONF = Map.of(
      "dovetail.metadata.server.heartbeatInterval", "300ms",
      "dovetail.metadata.server.heartbeatTimeout", "15s",
      "dovetail.storage.memoryLimit", "64m",
      "dovetail.transport.maxFrameSize", "8m");

  private ProcessCluster cluster;
  private DovetailClient client;

  private DovetailClient connect() {
    DovetailConf conf = new DovetailConf(CONF)
        .set("dovetail.metadata.address", cluster.metadataAddress())
        .set("dovetail.client.push.maxBatchBytes", "1m")
        .set("dovetail.client.push.frameSize", "64k")
        .set("dovetail.transport.connectTimeout", "2s");
    return new DovetailClient("it", conf);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Pushes `rounds` batches to every partition and commits; returns digests per partition. */
  private Map<Integer, List<String>> pushAndCommit(int shuffle, int map, int partitions,
      int rounds, Runnable midway) {
    Map<Integer, List<String>> digests = new HashMap<>();
    Random rnd = new Random(map);
    try (ShufflePusher p = client.pusher(APP, shuffle, map, 100 + map, 0)) {
      for (int r = 0; r < rounds; r++) {
        if (r == rounds / 2 && midway != null) {
          midway.run();
        }
        for (int part = 0; part < partitions; part++) {
          byte[] b = Payloads.bytes(rnd.nextLong(), 2_000 + rnd.nextInt(6_000));
          digests.computeIfAbsent(part, k -> new ArrayList<>()).add(Payloads.digest(b));
          p.push(part, Payloads.buf(b), 1);
        }
      }
      assertThat(p.commit().committed()).isTrue();
    }
    return digests;
  }

  private static void merge(Map<Integer, List<String>> into, Map<Integer, List<String>> from) {
    from.forEach((k, v) -> into.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
  }

  @Test
  void withReplicationTwoAStorageServerKilledMidPushLosesNothingCommitted() {
    cluster = new ProcessCluster(TestDirs.create("kill-r2"), CONF).start(3);
    client = connect();
    client.registerApplication(APP);
    int partitions = 24;
    client.registerShuffle(APP, 1, 3, partitions, 2);
    Map<Integer, List<String>> expected = new HashMap<>();
    merge(expected, pushAndCommit(1, 0, partitions, 10, null));
    merge(expected, pushAndCommit(1, 1, partitions, 10, () -> cluster.storage(0).kill9()));
    merge(expected, pushAndCommit(1, 2, partitions, 10, null));

    var reader = client.reader(APP, 1, 0, partitions, 0, -1);
    assertThat(Payloads.readAll(reader)).isEqualTo(Payloads.sorted(expected));
  }

  @Test
  void pushesToAFrozenStorageServerMoveOnAfterOneTimeout() {
    cluster = new ProcessCluster(TestDirs.create("frozen"), CONF).start(2);
    client = new DovetailClient("it", new DovetailConf(CONF)
        .set("dovetail.metadata.address", cluster.metadataAddress())
        .set("dovetail.client.push.maxBatchBytes", "1m")
        .set("dovetail.client.push.frameSize", "64k")
        .set("dovetail.transport.requestTimeout", "2s"));
    client.registerApplication(APP);
    int partitions = 8;
    client.registerShuffle(APP, 5, 1, partitions, 1);
    Map<Integer, List<String>> expected = new HashMap<>();
    Random rnd = new Random(5);
    try (ShufflePusher p = client.pusher(APP, 5, 0, 500, 0)) {
      Runnable round = () -> {
        for (int part = 0; part < partitions; part++) {
          byte[] b = Payloads.bytes(rnd.nextLong(), 4_000);
          expected.computeIfAbsent(part, k -> new ArrayList<>()).add(Payloads.digest(b));
          p.push(part, Payloads.buf(b), 1);
        }
        p.flush();
      };
      round.run();
      // A long GC pause or a frozen VM: the server holds connections and answers nothing. The
      // retries a busy server gets (6 by default, 2 s each here) would outlast the pause.
      cluster.storage(0).process().signal("STOP");
      try {
        round.run();
        assertThat(p.commit().committed()).isTrue();
        assertThat(p.metrics().reroutes()).as("batches moved off the frozen server")
            .isPositive();
        assertThat(p.metrics().retries()).as("tries per batch").isLessThanOrEqualTo(partitions);
      } finally {
        cluster.storage(0).process().signal("CONT");
      }
    }
    assertThat(Payloads.readAll(client.reader(APP, 5, 0, partitions, 0, -1)))
        .isEqualTo(Payloads.sorted(expected));
  }

  @Test
  void aReaderDoesNotWaitForAFrozenServerItOnlySealsCopiesOn() throws Exception {
    cluster = new ProcessCluster(TestDirs.create("frozen-replica"), CONF).start(2);
    client = connect();
    client.registerApplication(APP);
    int partitions = 8;
    client.registerShuffle(APP, 6, 1, partitions, 2);
    Map<Integer, List<String>> expected = pushAndCommit(6, 0, partitions, 2, null);
    // A reader in another executor (no connection yet) of the partitions whose primary is
    // storage server 1, while storage server 0 (their replica) is frozen for longer than the
    // reader's request timeout: constructing the reader seals those replicas on the side.
    ShuffleLayout layout = client.layout(APP, 6);
    int partition = -1;
    for (int p = 0; p < partitions && partition < 0; p++) {
      if (Location.writable(layout, p).primary().port() == cluster.storage(1).port()) {
        partition = p;
      }
    }
    assertThat(partition).as("a partition with its primary on storage server 1").isNotNegative();
    int read = partition;
    try (DovetailClient other = new DovetailClient("it-other", new DovetailConf(CONF)
        .set("dovetail.metadata.address", cluster.metadataAddress())
        .set("dovetail.client.push.maxBatchBytes", "1m")
        .set("dovetail.transport.requestTimeout", "60s"))) {
      cluster.storage(0).process().signal("STOP");
      try {
        var reader = CompletableFuture.supplyAsync(
            () -> other.reader(APP, 6, read, read + 1, 0, -1));
        assertThat(reader.get(30, TimeUnit.SECONDS).hasNext()).isTrue();
        Map<Integer, List<String>> got = Payloads.readAll(reader.get());
        assertThat(got).isEqualTo(Payloads.sorted(Map.of(read, expected.get(read))));
      } finally {
        cluster.storage(0).process().signal("CONT");
      }
    }
  }

  @Test
  void withReplicationOneTheReadNamesExactlyTheLostPartitions() {
    cluster = new ProcessCluster(TestDirs.create("kill-r1"), CONF).start(2);
    client = connect();
    client.registerApplication(APP);
    int partitions = 12;
    ShuffleLayout layout = client.registerShuffle(APP, 2, 2, partitions, 1);
    Map<Integer, List<String>> expected = new HashMap<>();
    merge(expected, pushAndCommit(2, 0, partitions, 2, null));
    merge(expected, pushAndCommit(2, 1, partitions, 2, null));

    int victimPort = cluster.storage(1).port();
    Set<Integer> onVictim = new TreeSet<>();
    layout = client.refreshLayout(APP, 2);
    for (int p = 0; p < partitions; p++) {
      for (var e : layout.getPartitions(p).getEpochsList()) {
        if (layout.getServers(e.getServers(0)).getDataPort() == victimPort) {
          onVictim.add(p);
        }
      }
    }
    assertThat(onVictim).as("placement spreads partitions").isNotEmpty().hasSizeLessThan(partitions);
    cluster.storage(1).kill9();

    Set<Integer> failed = new TreeSet<>();
    for (int p = 0; p < partitions; p++) {
      try {
        Map<Integer, List<String>> got = Payloads.readAll(client.reader(APP, 2, p, p + 1, 0, -1));
        assertThat(got.get(p)).isEqualTo(Payloads.sorted(expected).get(p));
      } catch (PartitionsLostException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.DATA_LOST);
        assertThat(e.partitions()).containsExactly(p);
        assertThat(e.getMessage()).contains("partition " + p);
        failed.add(p);
      }
    }
    assertThat(failed).isEqualTo(onVictim);

    assertThatThrownBy(() -> Payloads.readAll(client.reader(APP, 2, 0, partitions, 0, -1)))
        .isInstanceOfSatisfying(PartitionsLostException.class,
            e -> assertThat(onVictim).contains(e.partitions()[0]));
  }

  @Test
  void aKilledAndRestartedMetadataServerKeepsShufflesLocationsAndCommits() {
    cluster = new ProcessCluster(TestDirs.create("kill-meta"), CONF).start(2);
    client = connect();
    client.registerApplication(APP);
    client.registerShuffle(APP, 3, 2, 8, 2);
    Map<Integer, List<String>> expected = new HashMap<>();
    merge(expected, pushAndCommit(3, 0, 8, 3, null));
    merge(expected, pushAndCommit(3, 1, 8, 3, null));
    ShuffleLayout before = client.refreshLayout(APP, 3);

    cluster.metadata().kill9();
    cluster.startMetadata();
    client.close();
    client = connect();

    ShuffleLayout after = client.refreshLayout(APP, 3);
    assertThat(after.getPartitionsList()).isEqualTo(before.getPartitionsList());
    assertThat(Payloads.readAll(client.reader(APP, 3, 0, 8, 0, -1)))
        .isEqualTo(Payloads.sorted(expected));
    // The storage servers are still registered: a new shuffle can be written and read.
    client.registerShuffle(APP, 4, 1, 4, 2);
    Map<Integer, List<String>> fresh = pushAndCommit(4, 0, 4, 2, null);
    assertThat(Payloads.readAll(client.reader(APP, 4, 0, 4, 0, -1)))
        .isEqualTo(Payloads.sorted(fresh));
  }

  @Test
  void garbageAndBadRequestsGetClearErrorsAndServersStayUp() throws Exception {
    cluster = new ProcessCluster(TestDirs.create("garbage"), CONF).start(1);
    client = connect();
    client.registerApplication(APP);
    client.registerShuffle(APP, 5, 1, 2, 1);
    try (Socket s = new Socket("127.0.0.1", cluster.storage(0).port())) {
      byte[] junk = new byte[4096];
      new Random(1).nextBytes(junk);
      OutputStream out = s.getOutputStream();
      out.write(junk);
      out.flush();
      s.setSoTimeout(10_000);
      try {
        while (s.getInputStream().read(junk) >= 0) {
          // drain until the server closes the connection
        }
      } catch (java.net.SocketException reset) {
        // Closing with our unread junk in its buffer makes the server's TCP send a reset.
      }
    }
    assertThatThrownBy(() -> client.registerShuffle(APP, 6, -1, 0, 9))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> client.reader("ghost", 1, 0, 1, 0, -1))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isIn(ErrorCode.UNKNOWN_APPLICATION, ErrorCode.UNKNOWN_SHUFFLE));
    assertThat(cluster.storage(0).process().isAlive()).isTrue();
    assertThat(cluster.metadata().isAlive()).isTrue();
    Map<Integer, List<String>> expected = pushAndCommit(5, 0, 2, 2, null);
    assertThat(Payloads.readAll(client.reader(APP, 5, 0, 2, 0, -1)))
        .isEqualTo(Payloads.sorted(expected));
    assertThat(cluster.storage(0).process().log()).contains("closing connection");
  }
}
