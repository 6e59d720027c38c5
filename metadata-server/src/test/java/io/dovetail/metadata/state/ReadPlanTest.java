package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.MapAttempt;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.PartitionReadPlan;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ShuffleLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadPlanTest {
  private final StateFixture f = new StateFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static long[] bytesOf(int map, int partitions) {
    long[] b = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      b[p] = (map + 1) * 100L + p;
    }
    return b;
  }

  @Test
  void fullRangePlanListsEpochsTotalsAndCommitState() {
    f.servers(3);
    f.app("app");
    f.shuffle("app", 0, 4, 3, 2);
    f.commit("app", 0, 0, 10, 0, bytesOf(0, 3));
    f.commit("app", 0, 2, 12, 0, bytesOf(2, 3));
    f.commit("app", 0, 2, 13, 0, bytesOf(9, 3)); // loser: not counted
    f.state.reportLocationFailure(ReportLocationFailureRequest.newBuilder().setAppId("app")
        .setShuffleId(0).addFailed(PartitionEpoch.newBuilder().setPartition(1).setEpoch(0))
        .build());
    ShuffleLayout layout = f.layout("app", 0);

    GetReadPlanResponse plan = f.readPlan("app", 0, 0, 3, 0, 0);
    assertThat(plan.getLayoutVersion()).isEqualTo(layout.getLayoutVersion());
    assertThat(plan.getCommittedList()).containsExactly(
        MapAttempt.newBuilder().setMapIndex(0).setAttemptId(10).build(),
        MapAttempt.newBuilder().setMapIndex(2).setAttemptId(12).build());
    assertThat(plan.getUncommittedMapsList()).containsExactly(1, 3);
    assertThat(plan.getPartitionsList()).extracting(PartitionReadPlan::getPartition)
        .containsExactly(0, 1, 2);
    for (int p = 0; p < 3; p++) {
      PartitionReadPlan pp = plan.getPartitions(p);
      assertThat(pp.getExpectedBytes()).isEqualTo(100 + p + 300 + p);
      assertThat(pp.getExpectedRecords()).isEqualTo((100 + p) / 10 + (300 + p) / 10);
      assertThat(pp.getExpectedBatches()).isEqualTo(2);
      assertThat(pp.getEpochsCount()).isEqualTo(layout.getPartitions(p).getEpochsCount());
      for (int e = 0; e < pp.getEpochsCount(); e++) {
        for (int i = 0; i < pp.getEpochs(e).getServersCount(); i++) {
          assertThat(plan.getServers(pp.getEpochs(e).getServers(i)).getIncarnation())
              .isEqualTo(StateFixture.servers(layout, p, e).get(i));
        }
      }
    }
    assertThat(plan.getPartitions(1).getEpochsList()).hasSize(2);
    assertThat(plan.getPartitions(1).getEpochs(1).getWritable()).isTrue();
  }

  @Test
  void subRangesAgreeWithBruteForceSums() {
    int maps = 30;
    int partitions = 12;
    f.servers(2);
    f.app("app");
    f.shuffle("app", 0, maps, partitions, 1);
    Random random = new Random(1234);
    long[][] committed = new long[maps][];
    for (int m = 0; m < maps; m++) {
      if (random.nextInt(5) == 0) {
        continue; // leave some maps uncommitted
      }
      long[] b = new long[partitions];
      for (int p = 0; p < partitions; p++) {
        b[p] = random.nextInt(3) == 0 ? 0 : random.nextInt(1 << 20);
      }
      committed[m] = b;
      f.commit("app", 0, m, 1000 + m, 0, b);
      if (random.nextBoolean()) { // a stage retry replaces some winners
        long[] b2 = b.clone();
        b2[random.nextInt(partitions)] += 17;
        committed[m] = b2;
        f.commit("app", 0, m, 5000 + m, 1, b2);
      }
    }
    for (int round = 0; round < 60; round++) {
      int sm = random.nextInt(maps);
      int em = sm + 1 + random.nextInt(maps - sm);
      int sp = random.nextInt(partitions);
      int ep = sp + 1 + random.nextInt(partitions - sp);
      GetReadPlanResponse plan = f.readPlan("app", 0, sp, ep, sm, em);
      int uncommitted = 0;
      for (int m = sm; m < em; m++) {
        uncommitted += committed[m] == null ? 1 : 0;
      }
      assertThat(plan.getUncommittedMapsCount()).isEqualTo(uncommitted);
      assertThat(plan.getCommittedCount()).isEqualTo(em - sm - uncommitted);
      for (int p = sp; p < ep; p++) {
        long bytes = 0;
        long records = 0;
        long batches = 0;
        for (int m = sm; m < em; m++) {
          if (committed[m] != null) {
            bytes += committed[m][p];
            records += committed[m][p] / 10;
            batches += committed[m][p] == 0 ? 0 : 1;
          }
        }
        PartitionReadPlan pp = plan.getPartitions(p - sp);
        assertThat(pp.getPartition()).isEqualTo(p);
        assertThat(pp.getExpectedBytes()).as("bytes p=%d maps [%d,%d)", p, sm, em)
            .isEqualTo(bytes);
        assertThat(pp.getExpectedRecords()).isEqualTo(records);
        assertThat(pp.getExpectedBatches()).isEqualTo(batches);
      }
    }
    // Totals and attempts survive a restart unchanged.
    GetReadPlanResponse before = f.readPlan("app", 0, 0, partitions, 3, 7);
    f.reopen();
    assertThat(f.readPlan("app", 0, 0, partitions, 3, 7)).isEqualTo(before);
  }

  @Test
  void invalidRangesAreRejected() {
    f.servers(1);
    f.app("app");
    f.shuffle("app", 0, 4, 3, 1);
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.readPlan("app", 0, 0, 4, 0, 0));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.readPlan("app", 0, 2, 2, 0, 0));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.readPlan("app", 0, -1, 2, 0, 0));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.readPlan("app", 0, 0, 1, 0, 5));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.readPlan("app", 0, 0, 1, 3, 2));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.readPlan("app", 0, 0, 1, 2, 2));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.readPlan("app", 1, 0, 1, 0, 0));
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> f.readPlan("nope", 0, 0, 1, 0, 0));
    assertThat(f.readPlan("app", 0, 2, 3, 1, 2).getUncommittedMapsList()).containsExactly(1);
  }

  @Test
  void shuffleWithoutMapsHasAnEmptyPlan() {
    f.servers(1);
    f.app("app");
    f.shuffle("app", 0, 0, 2, 1);
    GetReadPlanResponse plan = f.readPlan("app", 0, 0, 2, 0, 0);
    assertThat(plan.getCommittedList()).isEmpty();
    assertThat(plan.getUncommittedMapsList()).isEmpty();
    assertThat(plan.getPartitions(1).getExpectedBytes()).isZero();
    assertThat(f.state.getPartitionSizes(GetPartitionSizesRequest.newBuilder().setAppId("app")
        .setShuffleId(0).build()).getPartitionBytesList()).containsExactly(0L, 0L);
  }
}
