package io.dovetail.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.push.ShufflePusher;
import io.dovetail.client.read.ReadBatch;
import io.dovetail.client.read.ShuffleReader;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.util.HostPort;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every byte committed through an in-process cluster reads back exactly once. */
@ExtendWith(NettyLeakDetectionExtension.class)
class StoreRoundTripTest {
  static final String APP = "app-roundtrip";
  static EmbeddedCluster cluster;
  static DovetailClient client;

  @BeforeAll
  static void start() {
    DovetailConf conf = new DovetailConf()
        .set("dovetail.storage.memoryLimit", "64m")
        .set("dovetail.transport.maxFrameSize", "8m")
        .set("dovetail.client.push.maxBatchBytes", "1m")
        .set("dovetail.client.push.frameSize", "256k")
        .set("dovetail.client.read.maxBytesInFlight", "2m");
    cluster = EmbeddedCluster.builder().storageServers(3).conf(conf).build().start();
    client = new DovetailClient("test", cluster.clientConf());
    client.registerApplication(APP);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest(name = "replication {0}")
  @ValueSource(ints = {1, 2, 3})
  void manyWritersManyPartitionsRandomSizes(int replication) throws Exception {
    int shuffle = 10 + replication;
    int maps = 8;
    int partitions = 40;
    client.registerShuffle(APP, shuffle, maps, partitions, replication);
    // Each writer records its own digests; they are merged on this thread once it has committed.
    Map<Integer, List<String>> expected = new HashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Map<Integer, List<String>>>> writers = new ArrayList<>();
      for (int m = 0; m < maps; m++) {
        int map = m;
        writers.add(pool.submit(() -> {
          Map<Integer, List<String>> digests = new HashMap<>();
          Random rnd = new Random(map * 31L + replication);
          try (ShufflePusher pusher = client.pusher(APP, shuffle, map, 1000 + map, 0)) {
            for (int p = 0; p < partitions; p++) {
              if (p % 7 == 3) {
                continue; // empty partitions
              }
              int batches = rnd.nextInt(4);
              for (int i = 0; i < batches; i++) {
                byte[] b = Payloads.bytes(rnd.nextLong(), rnd.nextInt(20_000));
                digests.computeIfAbsent(p, k -> new ArrayList<>()).add(Payloads.digest(b));
                pusher.push(p, Payloads.buf(b), 1 + i);
              }
            }
            if (map == 0) {
              // Larger than a push batch, a frame, a flush threshold and a read chunk.
              byte[] big = Payloads.bytes(99, 5 * 1024 * 1024 + 17);
              digests.computeIfAbsent(5, k -> new ArrayList<>()).add(Payloads.digest(big));
              pusher.push(5, Payloads.buf(big), 1);
            }
            assertThat(pusher.commit().committed()).isTrue();
          }
          return digests;
        }));
      }
      for (Future<Map<Integer, List<String>>> writer : writers) {
        writer.get().forEach((p, d) -> expected.computeIfAbsent(p, k -> new ArrayList<>()).addAll(d));
      }
    } finally {
      pool.shutdown();
    }
    ShuffleReader reader = client.reader(APP, shuffle, 0, partitions, 0, -1);
    Map<Integer, List<String>> read = Payloads.readAll(reader);
    assertThat(read).isEqualTo(Payloads.sorted(expected));
    assertThat(read).doesNotContainKeys(3, 10, 17);
    assertThat(reader.metrics().duplicates()).isZero();

    long[] sizes = client.partitionSizes(APP, shuffle).getPartitionBytesList().stream()
        .mapToLong(Long::longValue).toArray();
    assertThat(sizes).hasSize(partitions);
    assertThat(sizes[3]).isZero();
    assertThat(sizes[5]).isGreaterThan(5L * 1024 * 1024);
  }

  @Test
  void aReaderClosedEarlyLeavesNoStreamOpenOnTheServers() {
    client.registerShuffle(APP, 3, 1, 32, 1);
    try (ShufflePusher pusher = client.pusher(APP, 3, 0, 70, 0)) {
      for (int p = 0; p < 32; p++) {
        pusher.push(p, Payloads.buf(Payloads.bytes(p, 1000)), 1);
      }
      assertThat(pusher.commit().committed()).isTrue();
    }
    ShuffleReader reader = client.reader(APP, 3, 0, 32, 0, -1);
    assertThat(reader.hasNext()).isTrue(); // streams of the next partitions are being opened
    reader.next().release();
    reader.close();
    Await.until(Duration.ofSeconds(30), "no open streams",
        () -> cluster.storageServers().stream().mapToInt(s -> s.openStreams()).sum() == 0);
  }

  /**
   * With one copy per partition, connections cut under a reader (a server restarting its
   * connections, another task's failover closing the pool) are tried again: the reader returns
   * every batch once, instead of reporting the partitions lost and making Spark recompute them.
   */
  @Test
  void aReaderTriesItsOnlyCopyAgainAfterItsConnectionsWereCut() {
    client.registerShuffle(APP, 4, 1, 6, 1);
    Map<Integer, List<String>> expected = new HashMap<>();
    try (ShufflePusher pusher = client.pusher(APP, 4, 0, 80, 0)) {
      for (int p = 0; p < 6; p++) {
        for (int i = 0; i < 3; i++) {
          byte[] b = Payloads.bytes(p * 10L + i, 300_000);
          expected.computeIfAbsent(p, k -> new ArrayList<>()).add(Payloads.digest(b));
          pusher.push(p, Payloads.buf(b), 1 + i);
        }
      }
      assertThat(pusher.commit().committed()).isTrue();
    }
    ShuffleReader reader = client.reader(APP, 4, 0, 6, 0, -1);
    Map<Integer, List<String>> read = new HashMap<>();
    ReadBatch first = reader.next(); // streams of the next partitions are open by now
    read.computeIfAbsent(first.partition(), k -> new ArrayList<>())
        .add(Payloads.digest(io.netty.buffer.ByteBufUtil.getBytes(first.payload())));
    first.release();
    for (var server : cluster.storageServers()) {
      client.transport().closeClients(new HostPort("127.0.0.1", server.dataPort()));
    }
    Payloads.readAll(reader).forEach((p, d) -> read.computeIfAbsent(p, k -> new ArrayList<>())
        .addAll(d));
    assertThat(Payloads.sorted(read)).isEqualTo(Payloads.sorted(expected));
    assertThat(reader.metrics().failovers()).as("streams cut and opened again").isPositive();
  }

  /**
   * A batch of nearly the largest size joining gathered smaller ones stays within the server's
   * frame limit: the gathered frame goes first (together they were over it, and the server
   * closed the connection on every resend until the writer failed).
   */
  @Test
  void aLargeBatchAfterSmallerOnesNeverMakesAFrameOverTheLimit() {
    DovetailConf conf = cluster.clientConf()
        .set("dovetail.client.push.maxBatchBytes", "8128k") // 64k below the 8m frame limit
        .set("dovetail.client.push.frameSize", "1m");
    try (DovetailClient big = new DovetailClient("big-batches", conf)) {
      big.registerShuffle(APP, 5, 1, 1, 1);
      byte[] small = Payloads.bytes(5, 1_000_000);
      byte[] large = Payloads.bytes(6, 8_000_000);
      try (ShufflePusher pusher = big.pusher(APP, 5, 0, 90, 0)) {
        pusher.push(0, Payloads.buf(small), 1);
        pusher.push(0, Payloads.buf(large), 1);
        assertThat(pusher.commit().committed()).isTrue();
      }
      assertThat(Payloads.readAll(big.reader(APP, 5, 0, 1, 0, -1))).isEqualTo(Payloads.sorted(
          Map.of(0, List.of(Payloads.digest(small), Payloads.digest(large)))));
    }
  }

  @Test
  void aShuffleWithNoDataReadsAsEmpty() {
    client.registerShuffle(APP, 1, 2, 4, 1);
    for (int m = 0; m < 2; m++) {
      try (ShufflePusher pusher = client.pusher(APP, 1, m, 50 + m, 0)) {
        assertThat(pusher.commit().committed()).isTrue();
      }
    }
    assertThat(Payloads.readAll(client.reader(APP, 1, 0, 4, 0, -1))).isEmpty();
  }

  @Test
  void registeringTheSameShuffleTwiceIsIdempotent() {
    var first = client.registerShuffle(APP, 2, 3, 5, 2);
    var again = client.registerShuffle(APP, 2, 3, 5, 2);
    assertThat(again.getPartitionsList()).isEqualTo(first.getPartitionsList());
  }
}
