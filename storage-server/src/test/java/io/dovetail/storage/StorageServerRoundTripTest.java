package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.CloseStreamRequest;
import io.dovetail.common.protocol.FetchChunkRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.StreamOpened;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Push, seal and read back over a real socket, with the client transport. */
@ExtendWith(NettyLeakDetectionExtension.class)
class StorageServerRoundTripTest {
  private static StorageServer server;
  private static DataPlaneClient client;
  private static DovetailConf conf;

  @BeforeAll
  static void start() {
    conf = TestServers.standalone("roundtrip");
    server = TestServers.start(conf);
    client = new DataPlaneClient(conf, "127.0.0.1", server.dataPort());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
      assertThat(server.memoryUsedBytes()).as("memory accounted after close").isZero();
    }
  }

  /** Pushes {@code batches} in frames of about {@code frameBytes}; every batch must succeed. */
  private static void pushAll(String app, int shuffle, List<TestBatch> batches, int frameBytes) {
    List<TestBatch> frame = new ArrayList<>();
    int size = 0;
    for (TestBatch b : batches) {
      if (!frame.isEmpty() && size + b.payload().length > frameBytes) {
        assertOk(client.push(app, shuffle, 0, frame));
        frame = new ArrayList<>();
        size = 0;
      }
      frame.add(b);
      size += b.payload().length;
    }
    if (!frame.isEmpty()) {
      assertOk(client.push(app, shuffle, 0, frame));
    }
  }

  static void assertOk(PushResponse r) {
    assertThat(r.isOk()).as("push answered %s", r).isTrue();
  }

  static void assertSameBatches(List<TestBatch> actual, List<TestBatch> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).sameAs(expected.get(i)))
          .as("batch %d: read %s, pushed %s", i, actual.get(i), expected.get(i)).isTrue();
    }
  }

  @Test
  void manyPartitionsOfRandomSizesReadBackByteForByte() {
    Random rnd = new Random(7);
    int partitions = 120;
    int maps = 6;
    Map<Integer, List<TestBatch>> expected = new HashMap<>();
    List<TestBatch> pushed = new ArrayList<>();
    int[] seq = new int[partitions];
    for (int map = 0; map < maps; map++) {
      for (int k = 0; k < 150; k++) {
        int p = rnd.nextInt(partitions);
        if (p % 10 == 3) {
          continue; // these partitions stay empty
        }
        int size = rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(12_000);
        TestBatch b = TestBatch.random(rnd, p, map, 100 + map, seq[p]++, size);
        pushed.add(b);
        expected.computeIfAbsent(p, x -> new ArrayList<>()).add(b);
      }
    }
    // One batch larger than both the flush threshold and the read chunk size (64k each).
    TestBatch big = TestBatch.random(rnd, 5, 0, 100, seq[5]++, 300_000);
    pushed.add(big);
    expected.computeIfAbsent(5, x -> new ArrayList<>()).add(big);
    pushAll("app-rt", 1, pushed, 200_000);

    int[] all = new int[partitions];
    for (int p = 0; p < partitions; p++) {
      all[p] = p;
    }
    client.seal("app-rt", 1, all);
    long total = 0;
    for (int p = 0; p < partitions; p++) {
      DataPlaneClient.Read read = client.readAll("app-rt", 1, p, 0);
      List<TestBatch> want = expected.getOrDefault(p, List.of());
      assertSameBatches(read.batches(), want);
      if (want.isEmpty()) {
        assertThat(read.opened().numChunks()).isZero();
      }
      total += read.bytes();
    }
    long payload = pushed.stream().mapToLong(b -> b.payload().length).sum();
    assertThat(total).isEqualTo(payload + (long) pushed.size() * BatchHeader.SIZE);
    // The big batch is a chunk of its own.
    DataPlaneClient.Read p5 = client.readAll("app-rt", 1, 5, 0);
    assertThat(p5.opened().numChunks()).isGreaterThan(1);
  }

  @Test
  void mapRangeReadReturnsOnlyTheRangeAndCountsOnlyIt() {
    Random rnd = new Random(11);
    List<TestBatch> pushed = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (int map = 0; map < 10; map++) {
        pushed.add(TestBatch.random(rnd, 0, map, 500 + map, round, 1 + rnd.nextInt(3000)));
      }
    }
    pushAll("app-range", 1, pushed, 50_000);
    client.seal("app-range", 1, 0);

    DataPlaneClient.Read full = client.readAll("app-range", 1, 0, 0);
    DataPlaneClient.Read range = client.read("app-range", 1, 0, 0, 3, 6, null, null);
    List<TestBatch> want = pushed.stream().filter(b -> b.mapIndex() >= 3 && b.mapIndex() < 6)
        .toList();
    assertSameBatches(range.batches(), want);
    long wantBytes = want.stream().mapToLong(b -> BatchHeader.SIZE + b.payload().length).sum();
    assertThat(range.opened().totalBytes()).isEqualTo(wantBytes);
    assertThat(range.opened().totalBytes()).isLessThan(full.opened().totalBytes() / 2);
  }

  @Test
  void committedAttemptFilterDropsOtherAttempts() {
    Random rnd = new Random(13);
    List<TestBatch> pushed = new ArrayList<>();
    for (int map = 0; map < 4; map++) {
      for (long attempt : new long[] {map * 10L, map * 10L + 1}) {
        for (int s = 0; s < 3; s++) {
          pushed.add(TestBatch.random(rnd, 2, map, attempt, s, 100 + rnd.nextInt(500)));
        }
      }
    }
    pushAll("app-filter", 3, pushed, 10_000);
    client.seal("app-filter", 3, 2);
    // Maps 0..3 commit attempts 1, 10, 21 and 30; map 3 is outside the range read.
    int[] maps = {0, 1, 2, 3};
    long[] attempts = {1, 10, 21, 30};
    DataPlaneClient.Read read = client.read("app-filter", 3, 2, 0, 0, 3, maps, attempts);
    List<TestBatch> want = pushed.stream().filter(b ->
        (b.mapIndex() == 0 && b.attemptId() == 1) || (b.mapIndex() == 1 && b.attemptId() == 10)
            || (b.mapIndex() == 2 && b.attemptId() == 21)).toList();
    assertSameBatches(read.batches(), want);
  }

  @Test
  void readsRightAfterPushesSeeEveryByte() {
    // Open the stream without waiting for the seal: recent bytes may still be in memory.
    Random rnd = new Random(17);
    for (int round = 0; round < 5; round++) {
      List<TestBatch> pushed = new ArrayList<>();
      for (int s = 0; s < 40; s++) {
        pushed.add(TestBatch.random(rnd, round, 1, 9, s, rnd.nextInt(5000)));
      }
      pushAll("app-mem", 1, pushed, 100_000);
      DataPlaneClient.Read read = client.readAll("app-mem", 1, round, 0);
      assertSameBatches(read.batches(), pushed);
    }
  }

  @Test
  void pushToSealedPartitionIsRefused() {
    Random rnd = new Random(19);
    assertOk(client.push("app-sealed", 1, 0, List.of(TestBatch.random(rnd, 0, 0, 1, 0, 10))));
    client.seal("app-sealed", 1, 0);
    client.seal("app-sealed", 1, 0); // idempotent
    PushResponse r = client.push("app-sealed", 1, 0, List.of(
        TestBatch.random(rnd, 0, 0, 1, 1, 10), TestBatch.random(rnd, 1, 0, 1, 0, 10)));
    assertThat(r.code()).isEqualTo(ErrorCode.PARTITION_SEALED);
    assertThat(r.failures()).containsExactly(
        new PushResponse.Failure(0, ErrorCode.PARTITION_SEALED));
    assertThat(r.message()).contains("PARTITION_SEALED");
  }

  @Test
  void badChecksumIsRefusedPerBatch() {
    Random rnd = new Random(23);
    TestBatch good = TestBatch.random(rnd, 0, 0, 1, 0, 100);
    TestBatch bad = TestBatch.random(rnd, 0, 0, 1, 1, 100);
    var req = DataPlaneClient.pushRequest("app-crc", 1, 0, List.of(),
        List.of(good, bad));
    // Flip one payload byte of the second batch after its checksum was computed.
    req.payloads().setByte(150, req.payloads().getByte(150) ^ 1);
    PushResponse r = (PushResponse) client.transport().requestSync(req);
    assertThat(r.failures()).containsExactly(
        new PushResponse.Failure(1, ErrorCode.CHECKSUM_MISMATCH));
    client.seal("app-crc", 1, 0);
    assertThat(client.readAll("app-crc", 1, 0, 0).batches()).hasSize(1);
  }

  @Test
  void staleIncarnationIsRefused() {
    Random rnd = new Random(29);
    PushResponse r = client.push("app-inc", 1, 77, List.of(TestBatch.random(rnd, 0, 0, 1, 0, 1)));
    assertThat(r.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
    assertThat(r.failures()).hasSize(1);
    assertOk(client.push("app-inc", 1, -1, List.of(TestBatch.random(rnd, 0, 0, 1, 0, 1))));
    assertThatThrownBy(() -> client.open("app-inc", 1, 0, 77, 0, 10, null, null))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.STALE_INCARNATION));
  }

  @Test
  void unknownStreamAndPartitionGiveClearErrors() {
    assertThatThrownBy(() -> client.transport().requestSync(new FetchChunkRequest(999_999, 0)))
        .isInstanceOf(DovetailException.class)
        .hasMessageContaining("UNKNOWN_STREAM").hasMessageContaining("999999");
    assertThatThrownBy(() -> client.transport().requestSync(new CloseStreamRequest(999_999)))
        .hasMessageContaining("UNKNOWN_STREAM");
    assertThatThrownBy(() -> client.open("app-nothing", 1, 4, 0, 0, 10, null, null))
        .isInstanceOf(DovetailException.class)
        .hasMessageContaining("UNKNOWN_PARTITION").hasMessageContaining("never sealed");
    // Sealing a partition that received nothing makes it readable and empty.
    client.seal("app-nothing", 1, 4);
    assertThat(client.readAll("app-nothing", 1, 4, 0).batches()).isEmpty();
    // A chunk index outside the stream.
    Random rnd = new Random(31);
    assertOk(client.push("app-idx", 1, 0, List.of(TestBatch.random(rnd, 0, 0, 1, 0, 10))));
    StreamOpened s = client.open("app-idx", 1, 0, 0, 0, 10, null, null);
    assertThatThrownBy(() -> client.transport().requestSync(new FetchChunkRequest(
        s.streamId(), 5))).hasMessageContaining("INVALID_ARGUMENT");
    ChunkResponse c = (ChunkResponse) client.transport().requestSync(
        new FetchChunkRequest(s.streamId(), 0));
    c.release();
    client.transport().requestSync(new CloseStreamRequest(s.streamId())).release();
    assertThatThrownBy(() -> client.transport().requestSync(new FetchChunkRequest(
        s.streamId(), 0))).hasMessageContaining("UNKNOWN_STREAM");
  }

  @Test
  void streamsDieWithTheirConnection() {
    Random rnd = new Random(37);
    assertOk(client.push("app-conn", 1, 0, List.of(TestBatch.random(rnd, 0, 0, 1, 0, 10))));
    int before = server.openStreams();
    try (DataPlaneClient other = new DataPlaneClient(conf, "127.0.0.1", server.dataPort())) {
      other.open("app-conn", 1, 0, 0, 0, 10, null, null);
      other.open("app-conn", 1, 0, 0, 0, 10, null, null);
      assertThat(server.openStreams()).isEqualTo(before + 2);
    }
    Await.until(Duration.ofSeconds(10), "streams closed with their connection",
        () -> server.openStreams() == before);
  }
}
