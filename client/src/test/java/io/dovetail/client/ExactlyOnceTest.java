package io.dovetail.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.client.push.ShufflePusher;
import io.dovetail.client.read.PartitionsLostException;
import io.dovetail.client.read.ShuffleReader;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retried, speculative and re-run attempts never duplicate or lose data; ranges read only themselves. */
@ExtendWith(NettyLeakDetectionExtension.class)
class ExactlyOnceTest {
  static final String APP = "app-exactly-once";
  static EmbeddedCluster cluster;
  static DovetailClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().storageServers(2).build().start();
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

  /** Pushes `batches` payloads tagged by attempt to each partition; returns their digests. */
  private static Map<Integer, List<String>> pushAll(ShufflePusher pusher, int map, long attempt,
      int partitions, int batches) {
    Map<Integer, List<String>> digests = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      for (int i = 0; i < batches; i++) {
        byte[] b = Payloads.bytes(attempt * 1_000_003L + p * 101L + i, 300 + 50 * i);
        digests.computeIfAbsent(p, k -> new ArrayList<>()).add(Payloads.digest(b));
        pusher.push(p, Payloads.buf(b), 2);
      }
    }
    return digests;
  }

  private static void merge(Map<Integer, List<String>> into, Map<Integer, List<String>> from) {
    from.forEach((k, v) -> into.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
  }

  @Test
  void aFailedAttemptThatPushedPartOfItsOutputLeavesNoTrace() {
    int shuffle = 1;
    client.registerShuffle(APP, shuffle, 1, 3, 1);
    try (ShufflePusher failed = client.pusher(APP, shuffle, 0, 1, 0)) {
      pushAll(failed, 0, 1, 2, 2); // only some partitions, then the task dies
      failed.flush();
    }
    Map<Integer, List<String>> expected;
    try (ShufflePusher retry = client.pusher(APP, shuffle, 0, 2, 0)) {
      expected = pushAll(retry, 0, 2, 3, 2);
      assertThat(retry.commit().committed()).isTrue();
    }
    ShuffleReader reader = client.reader(APP, shuffle, 0, 3, 0, -1);
    assertThat(Payloads.readAll(reader)).isEqualTo(Payloads.sorted(expected));
    assertNothingButCommittedBatchesCrossedTheWire(reader);
  }

  @Test
  void speculativeAttemptsBothPushOneWinsReadersSeeOneCopy() throws Exception {
    int shuffle = 2;
    client.registerShuffle(APP, shuffle, 2, 4, 2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch bothPushed = new CountDownLatch(2);
    List<Future<CommitResult>> results = new ArrayList<>();
    Map<Long, Map<Integer, List<String>>> byAttempt = new java.util.concurrent.ConcurrentHashMap<>();
    for (long attempt : new long[] {10, 11}) {
      results.add(pool.submit(() -> {
        try (ShufflePusher p = client.pusher(APP, shuffle, 0, attempt, 0)) {
          byAttempt.put(attempt, pushAll(p, 0, attempt, 4, 3));
          p.flush();
          bothPushed.countDown();
          bothPushed.await();
          return p.commit();
        }
      }));
    }
    CommitResult a = results.get(0).get();
    CommitResult b = results.get(1).get();
    pool.shutdown();
    assertThat(a.committed() ^ b.committed()).as("exactly one attempt wins").isTrue();
    long winner = a.committed() ? 10 : 11;
    assertThat(a.winnerAttemptId()).isEqualTo(winner);
    assertThat(b.winnerAttemptId()).isEqualTo(winner);
    Map<Integer, List<String>> expected = new HashMap<>(byAttempt.get(winner));
    try (ShufflePusher other = client.pusher(APP, shuffle, 1, 20, 0)) {
      merge(expected, pushAll(other, 1, 20, 4, 1));
      other.commit();
    }
    ShuffleReader reader = client.reader(APP, shuffle, 0, 4, 0, -1);
    assertThat(Payloads.readAll(reader)).isEqualTo(Payloads.sorted(expected));
    assertNothingButCommittedBatchesCrossedTheWire(reader);
  }

  @Test
  void aLaterStageAttemptReplacesTheCommittedOutput() {
    int shuffle = 3;
    client.registerShuffle(APP, shuffle, 1, 2, 1);
    try (ShufflePusher first = client.pusher(APP, shuffle, 0, 30, 0)) {
      pushAll(first, 0, 30, 2, 1);
      assertThat(first.commit().committed()).isTrue();
    }
    Map<Integer, List<String>> expected;
    try (ShufflePusher rerun = client.pusher(APP, shuffle, 0, 31, 1)) {
      expected = pushAll(rerun, 0, 31, 2, 2);
      assertThat(rerun.commit().committed()).isTrue();
    }
    try (ShufflePusher zombie = client.pusher(APP, shuffle, 0, 29, 0)) {
      pushAll(zombie, 0, 29, 2, 1);
      CommitResult r = zombie.commit();
      assertThat(r.committed()).isFalse();
      assertThat(r.winnerAttemptId()).isEqualTo(31);
    }
    assertThat(Payloads.readAll(client.reader(APP, shuffle, 0, 2, 0, -1)))
        .isEqualTo(Payloads.sorted(expected));
  }

  @Test
  void afterARerouteLaterBatchesGoStraightToTheNewLocation() {
    int shuffle = 9;
    client.registerShuffle(APP, shuffle, 1, 1, 1);
    try (ShufflePusher first = client.pusher(APP, shuffle, 0, 90, 0)) {
      pushAll(first, 0, 90, 1, 1);
      assertThat(first.commit().committed()).isTrue();
    }
    // A reader seals what it reads: a re-run of the map finds its location sealed.
    assertThat(Payloads.readAll(client.reader(APP, shuffle, 0, 1, 0, -1))).hasSize(1);
    Map<Integer, List<String>> expected = new HashMap<>();
    try (ShufflePusher rerun = client.pusher(APP, shuffle, 0, 91, 1)) {
      for (int i = 0; i < 10; i++) {
        byte[] b = Payloads.bytes(9_100 + i, 500);
        expected.computeIfAbsent(0, k -> new ArrayList<>()).add(Payloads.digest(b));
        rerun.push(0, Payloads.buf(b), 1);
        rerun.flush();
      }
      assertThat(rerun.commit().committed()).isTrue();
      assertThat(rerun.metrics().reroutes()).as("batches moved off the sealed location")
          .isEqualTo(1);
    }
    assertThat(Payloads.readAll(client.reader(APP, shuffle, 0, 1, 0, -1)))
        .isEqualTo(Payloads.sorted(expected));
  }

  @Test
  void aMapRangeReadTransfersOnlyThoseMaps() {
    int shuffle = 4;
    int maps = 6;
    client.registerShuffle(APP, shuffle, maps, 2, 1);
    Map<Integer, Map<Integer, List<String>>> byMap = new HashMap<>();
    for (int m = 0; m < maps; m++) {
      try (ShufflePusher p = client.pusher(APP, shuffle, m, 40 + m, 0)) {
        byMap.put(m, pushAll(p, m, 40 + m, 2, 2));
        p.commit();
      }
    }
    Map<Integer, List<String>> expected = new HashMap<>();
    merge(expected, byMap.get(2));
    merge(expected, byMap.get(3));
    ShuffleReader reader = client.reader(APP, shuffle, 0, 2, 2, 4);
    assertThat(Payloads.readAll(reader)).isEqualTo(Payloads.sorted(expected));
    assertNothingButCommittedBatchesCrossedTheWire(reader);
  }

  /** Storage servers filter by the committed attempts and map range: nothing else is sent. */
  private static void assertNothingButCommittedBatchesCrossedTheWire(ShuffleReader reader) {
    long payload = reader.metrics().bytes();
    long headers = reader.metrics().batches() * io.dovetail.common.protocol.BatchHeader.SIZE;
    assertThat(reader.metrics().remoteBytes()).isEqualTo(payload + headers);
    assertThat(reader.metrics().skipped()).isZero();
    assertThat(reader.metrics().duplicates()).isZero();
  }

  @Test
  void readersFailLoudlyWhenWhatTheyReadDiffersFromTheCommit() {
    int shuffle = 5;
    client.registerShuffle(APP, shuffle, 1, 2, 1);
    try (ShufflePusher p = client.pusher(APP, shuffle, 0, 50, 0)) {
      pushAll(p, 0, 50, 2, 1);
      p.flush();
    }
    // Commit counts that disagree with the data (as a corrupted writer would).
    client.metadata().commitMap(CommitMapRequest.newBuilder().setAppId(APP).setShuffleId(shuffle)
        .setMapIndex(0).setAttemptId(50).setStageAttempt(0)
        .addPartitionBytes(300).addPartitionBytes(999)
        .addPartitionRecords(2).addPartitionRecords(2)
        .addPartitionBatches(1).addPartitionBatches(1).build());
    ShuffleReader reader = client.reader(APP, shuffle, 0, 2, 0, -1);
    assertThatThrownBy(() -> Payloads.readAll(reader))
        .isInstanceOfSatisfying(PartitionsLostException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY_MISMATCH);
          assertThat(e.partitions()).containsExactly(1);
        });
  }

  /**
   * Without the integrity check, a partition missing committed batches still fails: a copy that
   * answers that it has no file would otherwise read as empty and its rows vanish.
   */
  @Test
  void missingBatchesFailAReaderEvenWithoutTheIntegrityCheck() {
    int shuffle = 8;
    client.registerShuffle(APP, shuffle, 1, 2, 1);
    try (ShufflePusher p = client.pusher(APP, shuffle, 0, 80, 0)) {
      pushAll(p, 0, 80, 2, 1);
      p.flush();
    }
    // Two batches committed to partition 1, one pushed (as if a copy had lost one).
    client.metadata().commitMap(CommitMapRequest.newBuilder().setAppId(APP).setShuffleId(shuffle)
        .setMapIndex(0).setAttemptId(80).setStageAttempt(0)
        .addPartitionBytes(300).addPartitionBytes(650)
        .addPartitionRecords(2).addPartitionRecords(4)
        .addPartitionBatches(1).addPartitionBatches(2).build());
    try (DovetailClient unchecked = new DovetailClient("unchecked", cluster.clientConf()
        .set(ClientConfig.INTEGRITY_CHECK.key(), "false"))) {
      ShuffleReader reader = unchecked.reader(APP, shuffle, 0, 2, 0, -1);
      assertThatThrownBy(() -> Payloads.readAll(reader))
          .isInstanceOfSatisfying(PartitionsLostException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY_MISMATCH);
            assertThat(e.partitions()).containsExactly(1);
          });
    }
  }

  @Test
  void readingAShuffleWithUncommittedMapsFailsClearly() {
    client.registerShuffle(APP, 6, 2, 1, 1);
    try (ShufflePusher p = client.pusher(APP, 6, 0, 60, 0)) {
      p.commit();
    }
    assertThatThrownBy(() -> client.reader(APP, 6, 0, 1, 0, -1))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MAPS_NOT_COMMITTED));
  }

  @Test
  void unknownIdsGetClearErrors() {
    assertThatThrownBy(() -> client.registerShuffle("no-such-app", 1, 1, 1, 1))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_APPLICATION));
    assertThatThrownBy(() -> client.reader(APP, 999, 0, 1, 0, -1))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_SHUFFLE));
    assertThatThrownBy(() -> client.registerShuffle(APP, 7, 1, 1, 4))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }
}
