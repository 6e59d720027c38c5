package io.dovetail.examples.elastic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskAttemptsTest {

  /** Stage 0 maps 4 partitions, stage 1 maps 3, stage 2 collects 2. */
  static TaskAttempts cleanRun() {
    TaskAttempts a = new TaskAttempts();
    a.stageSubmitted(0, 0, true, 4);
    for (int p = 0; p < 4; p++) {
      a.taskStarted(0, p);
    }
    a.stageSubmitted(1, 0, true, 3);
    for (int p = 0; p < 3; p++) {
      a.taskStarted(1, p);
    }
    a.stageSubmitted(2, 0, false, 2);
    a.taskStarted(2, 0);
    a.taskStarted(2, 1);
    return a;
  }

  @Test
  void aCleanRunRecomputesNothing() {
    TaskAttempts a = cleanRun();
    assertThat(a.recomputedMapTasks()).isZero();
    assertThat(a.recomputedResultTasks()).isZero();
    assertThat(a.resubmittedStageAttempts()).isZero();
    assertThat(a.stages()).containsExactly(new TaskAttempts.StageCounts(0, true, 4, 4, 1),
        new TaskAttempts.StageCounts(1, true, 3, 3, 1),
        new TaskAttempts.StageCounts(2, false, 2, 2, 1));
  }

  @Test
  void lostMapOutputCountsEveryExtraAttemptAndResubmittedStage() {
    TaskAttempts a = new TaskAttempts();
    a.stageSubmitted(0, 0, true, 4);
    for (int p = 0; p < 4; p++) {
      a.taskStarted(0, p);
    }
    a.stageSubmitted(1, 0, true, 3);
    for (int p = 0; p < 3; p++) {
      a.taskStarted(1, p);
    }
    // An executor that ran map partitions 1 and 3 and reduce partition 2 dies: partition 2 is
    // relaunched in the same attempt, fails to fetch, and both stages are resubmitted.
    a.taskStarted(1, 2);
    a.stageSubmitted(0, 1, true, 2);
    a.taskStarted(0, 1);
    a.taskStarted(0, 3);
    a.stageSubmitted(1, 1, true, 2);
    a.taskStarted(1, 2);
    a.taskStarted(1, 0); // the still-running tail, launched again
    a.stageSubmitted(2, 0, false, 2);
    a.taskStarted(2, 0);
    a.taskStarted(2, 1);
    assertThat(a.recomputedMapTasks()).isEqualTo(5);
    assertThat(a.recomputedResultTasks()).isZero();
    assertThat(a.resubmittedStageAttempts()).isEqualTo(2);
    assertThat(a.stages().get(1)).isEqualTo(new TaskAttempts.StageCounts(1, true, 3, 6, 2));
  }

  @Test
  void resultTaskRetriesAreCountedApart() {
    TaskAttempts a = cleanRun();
    a.taskStarted(2, 1);
    assertThat(a.recomputedMapTasks()).isZero();
    assertThat(a.recomputedResultTasks()).isEqualTo(1);
  }
}
