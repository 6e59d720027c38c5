package io.dovetail.examples.elastic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExecutorLifetimesTest {

  @Test
  void executorSecondsAddRemovedMinusAddedAndCountLiveOnesUntilTheEnd() {
    ExecutorLifetimes l = new ExecutorLifetimes(0);
    l.added("1", 1_000);
    l.added("2", 1_500);
    l.added("3", 2_000);
    l.removed("2", 5_500); // 4 s
    l.removed("3", 3_000); // 1 s
    // "1" alive until the end at 11 s: 10 s
    assertThat(l.executorMillis(11_000)).isEqualTo(15_000);
    assertThat(l.alive()).containsExactly("1");
    assertThat(l.removedCount()).isEqualTo(2);
  }

  @Test
  void aRemovalAfterTheEndIsCutAtTheEnd() {
    ExecutorLifetimes l = new ExecutorLifetimes(0);
    l.added("1", 1_000);
    l.removed("1", 20_000);
    assertThat(l.executorMillis(5_000)).isEqualTo(4_000);
  }

  @Test
  void anExecutorSeenOnlyRemovedCountsFromTheOrigin() {
    ExecutorLifetimes l = new ExecutorLifetimes(500);
    l.removed("7", 2_500);
    assertThat(l.executorMillis(10_000)).isEqualTo(2_000);
  }

  @Test
  void repeatedEventsDoNotCountTwice() {
    ExecutorLifetimes l = new ExecutorLifetimes(0);
    l.added("1", 1_000);
    l.added("1", 4_000);
    l.removed("1", 3_000);
    l.removed("1", 9_000);
    assertThat(l.executorMillis(10_000)).isEqualTo(2_000);
  }

  @Test
  void maxAliveCountsOverlapNotReplacement() {
    ExecutorLifetimes l = new ExecutorLifetimes(0);
    l.added("1", 0);
    l.added("2", 10);
    l.removed("1", 20);
    l.added("3", 20);
    l.added("4", 30);
    assertThat(l.maxAlive()).isEqualTo(3);
  }

  @Test
  void executorsKnownBeforeTheListenerAreSeededOnlyOnce() {
    ElasticListener listener = new ElasticListener(new java.io.PrintStream(
        java.io.OutputStream.nullOutputStream()), "app", "rdd", 0, 1_000);
    listener.onExecutorAdded(new org.apache.spark.scheduler.SparkListenerExecutorAdded(1_500,
        "2", null));
    listener.alreadyRegistered(java.util.List.of("1", "2"));
    // "1" counts from the origin (1 s), "2" from when it was seen added (1.5 s).
    assertThat(listener.executorMillis(3_000)).isEqualTo(2_000 + 1_500);
    assertThat(listener.maxAlive()).isEqualTo(2);
  }
}
