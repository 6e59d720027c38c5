package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static io.dovetail.metadata.state.StateFixture.commitRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetPartitionSizesResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitSemanticsTest {
  private StateFixture f;

  @BeforeEach
  void setUp() {
    f = new StateFixture();
    f.servers(3);
    f.app("app-1");
    f.shuffle("app-1", 0, 4, 3, 1);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private GetPartitionSizesResponse sizes() {
    return f.state.getPartitionSizes(GetPartitionSizesRequest.newBuilder().setAppId("app-1")
        .setShuffleId(0).build());
  }

  @Test
  void firstAttemptWinsAndLoserLearnsTheWinner() {
    CommitMapResponse first = f.commit("app-1", 0, 1, 100, 0, new long[] {10, 20, 30});
    assertThat(first.getCommitted()).isTrue();
    assertThat(first.getWinnerAttemptId()).isEqualTo(100);

    CommitMapResponse speculative = f.commit("app-1", 0, 1, 101, 0, new long[] {11, 21, 31});
    assertThat(speculative.getCommitted()).isFalse();
    assertThat(speculative.getWinnerAttemptId()).isEqualTo(100);
    assertThat(speculative.getWinnerStageAttempt()).isZero();
    assertThat(speculative.getWinnerPartitionBytesList()).containsExactly(10L, 20L, 30L);

    assertThat(sizes().getPartitionBytesList()).containsExactly(10L, 20L, 30L);
    assertThat(sizes().getPartitionRecordsList()).containsExactly(1L, 2L, 3L);
    assertThat(sizes().getCommittedMaps()).isEqualTo(1);
  }

  @Test
  void repeatOfTheWinningAttemptIsIdempotent() {
    f.commit("app-1", 0, 2, 7, 0, new long[] {5, 0, 5});
    CommitMapResponse again = f.commit("app-1", 0, 2, 7, 0, new long[] {5, 0, 5});
    assertThat(again.getCommitted()).isTrue();
    assertThat(again.getWinnerAttemptId()).isEqualTo(7);
    assertThat(again.getWinnerPartitionBytesList()).containsExactly(5L, 0L, 5L);
    assertThat(sizes().getPartitionBytesList()).containsExactly(5L, 0L, 5L);
    assertThat(sizes().getCommittedMaps()).isEqualTo(1);
  }

  @Test
  void higherStageAttemptReplacesTheWinnerAndTotalsFollow() {
    f.commit("app-1", 0, 0, 1, 0, new long[] {100, 100, 100});
    f.commit("app-1", 0, 3, 2, 0, new long[] {1, 1, 1});
    CommitMapResponse retry = f.commit("app-1", 0, 0, 50, 1, new long[] {7, 8, 9});
    assertThat(retry.getCommitted()).isTrue();
    assertThat(retry.getWinnerAttemptId()).isEqualTo(50);
    assertThat(retry.getWinnerStageAttempt()).isEqualTo(1);
    assertThat(sizes().getPartitionBytesList()).containsExactly(8L, 9L, 10L);
    assertThat(sizes().getCommittedMaps()).isEqualTo(2);

    // A late commit of the old stage attempt loses to the new winner.
    CommitMapResponse late = f.commit("app-1", 0, 0, 3, 0, new long[] {1, 1, 1});
    assertThat(late.getCommitted()).isFalse();
    assertThat(late.getWinnerAttemptId()).isEqualTo(50);
    assertThat(late.getWinnerPartitionBytesList()).containsExactly(7L, 8L, 9L);
    // Same stage attempt as the winner: first one stays.
    assertThat(f.commit("app-1", 0, 0, 51, 1, new long[] {0, 0, 0}).getCommitted()).isFalse();
  }

  @Test
  void aLaterStageRerunningTheMapsReplacesTheWinnerWhateverItsAttemptNumber() {
    // Stage 5 wrote map 0 in its third attempt. Stage 9 (a later job, or AQE's next query
    // stage, re-running lost output) numbers its attempts afresh and still replaces it.
    assertThat(f.state.commitMap(run(0, 20, 5, 2, 100)).getCommitted()).isTrue();
    CommitMapResponse rerun = f.state.commitMap(run(0, 21, 9, 0, 7));
    assertThat(rerun.getCommitted()).isTrue();
    assertThat(rerun.getWinnerAttemptId()).isEqualTo(21);
    // A late zombie of the old stage, even a higher attempt of it, loses.
    CommitMapResponse zombie = f.state.commitMap(run(0, 22, 5, 3, 1));
    assertThat(zombie.getCommitted()).isFalse();
    assertThat(zombie.getWinnerAttemptId()).isEqualTo(21);
    // The same run: the first commit stays.
    assertThat(f.state.commitMap(run(0, 23, 9, 0, 1)).getCommitted()).isFalse();
    assertThat(sizes().getPartitionBytesList()).containsExactly(7L, 7L, 7L);
    f.reopen();
    assertThat(f.state.commitMap(run(0, 24, 8, 7, 1)).getCommitted()).as("after a restart")
        .isFalse();
    assertThat(f.state.commitMap(run(0, 25, 9, 1, 3)).getCommitted()).isTrue();
    assertThat(sizes().getPartitionBytesList()).containsExactly(3L, 3L, 3L);
  }

  private static CommitMapRequest run(int map, long attempt, int stageId, int stageAttempt,
      long bytesPerPartition) {
    long[] bytes = {bytesPerPartition, bytesPerPartition, bytesPerPartition};
    return StateFixture.commitRequest("app-1", 0, map, attempt, stageAttempt, bytes,
        new long[] {1, 1, 1}, new long[] {1, 1, 1}).toBuilder().setStageId(stageId).build();
  }

  @Test
  void emptyArraysMeanZeros() {
    CommitMapResponse r = f.commit("app-1", 0, 0, 1, 0, new long[0]);
    assertThat(r.getCommitted()).isTrue();
    assertThat(r.getWinnerPartitionBytesList()).isEmpty();
    assertThat(sizes().getPartitionBytesList()).containsExactly(0L, 0L, 0L);
    assertThat(sizes().getCommittedMaps()).isEqualTo(1);
    CommitMapResponse loser = f.commit("app-1", 0, 0, 2, 0, new long[] {1, 2, 3});
    assertThat(loser.getCommitted()).isFalse();
    assertThat(loser.getWinnerPartitionBytesList()).isEmpty();
  }

  @Test
  void invalidCommitsAreRejectedAndChangeNothing() {
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.commit("app-1", 0, 0, 1, 0, new long[] {1, 2}));
    assertCode(ErrorCode.INVALID_ARGUMENT,
        () -> f.commit("app-1", 0, 0, 1, 0, new long[] {1, 2, 3, 4}));
    assertCode(ErrorCode.INVALID_ARGUMENT,
        () -> f.commit("app-1", 0, 0, 1, 0, new long[] {1, -2, 3}));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.state.commitMap(commitRequest("app-1", 0, 0,
        1, 0, new long[] {1, 2, 3}, new long[] {1}, new long[0])));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.commit("app-1", 0, 4, 1, 0, new long[0]));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.commit("app-1", 0, -1, 1, 0, new long[0]));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.commit("app-1", 0, 0, -5, 0, new long[0]));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.commit("app-1", 0, 0, 1, -1, new long[0]));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.commit("app-1", 9, 0, 1, 0, new long[0]));
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> f.commit("app-2", 0, 0, 1, 0, new long[0]));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.commit("../etc", 0, 0, 1, 0, new long[0]));
    // Totals that would overflow the shuffle's sums: one huge entry, or entries adding up.
    assertCode(ErrorCode.INVALID_ARGUMENT,
        () -> f.commit("app-1", 0, 0, 1, 0, new long[] {Long.MAX_VALUE, 0, 0}));
    long half = CommitOps.MAX_MAP_TOTAL / 2 + 1;
    assertCode(ErrorCode.INVALID_ARGUMENT,
        () -> f.commit("app-1", 0, 0, 1, 0, new long[] {half, half, 0}));
    assertThat(sizes().getCommittedMaps()).isZero();
    assertThat(sizes().getPartitionBytesList()).containsExactly(0L, 0L, 0L);
  }

  @Test
  void concurrentAttemptsElectExactlyOneWinnerPerMap() throws Exception {
    f.app("app-c");
    int maps = 40;
    int partitions = 16;
    f.shuffle("app-c", 1, maps, partitions, 1);
    Random random = new Random(7);
    List<CommitMapRequest> requests = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      for (int a = 0; a < 4; a++) {
        long[] bytes = new long[partitions];
        for (int p = 0; p < partitions; p++) {
          bytes[p] = random.nextInt(1000);
        }
        requests.add(commitRequest("app-c", 1, m, m * 10L + a, 0, bytes, bytes, new long[0]));
      }
    }
    java.util.Collections.shuffle(requests, random);
    ConcurrentLinkedQueue<CommitMapRequest> winners = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (CommitMapRequest r : requests) {
        futures.add(pool.submit(() -> {
          go.await();
          if (f.state.commitMap(r).getCommitted()) {
            winners.add(r);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> fut : futures) {
        fut.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(winners).hasSize(maps);
    assertThat(winners.stream().map(CommitMapRequest::getMapIndex).distinct()).hasSize(maps);
    long[] expected = new long[partitions];
    for (CommitMapRequest w : winners) {
      for (int p = 0; p < partitions; p++) {
        expected[p] += w.getPartitionBytes(p);
      }
    }
    GetPartitionSizesResponse sizes = f.state.getPartitionSizes(GetPartitionSizesRequest
        .newBuilder().setAppId("app-c").setShuffleId(1).build());
    assertThat(sizes.getPartitionBytesList().stream().mapToLong(Long::longValue).toArray())
        .containsExactly(expected);
    assertThat(sizes.getCommittedMaps()).isEqualTo(maps);
  }
}
