package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.ProcessCluster;
import io.dovetail.testkit.TestDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly once under task retries and speculation, and recovery from a storage server killed
 * mid-job, on a real standalone cluster.
 */
class StandaloneFaultsIT {
  static SparkStandaloneCluster spark;

  @BeforeAll
  static void start() {
    spark = new SparkStandaloneCluster(TestDirs.create("faults"), true);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.close();
    }
  }

  static SparkSession.Builder dovetail(String app) {
    return StandaloneEquivalenceIT.session(spark, app)
        .config("spark.shuffle.manager", ShuffleEquivalence.DOVETAIL)
        .config("spark.dovetail.writer.batchSize", "1k");
  }

  @Test
  void aTaskThatFailsAfterPushingPartOfItsOutputIsRetriedAndCountedOnce() throws Exception {
    SparkSession s = dovetail("partial-push-retry").getOrCreate();
    JobListener listener = new JobListener();
    s.sparkContext().addSparkListener(listener);
    try {
      List<String> result = FaultJobs.sumsWithAPartialPushThenFailure(
          JavaSparkContext.fromSparkContext(s.sparkContext()));
      s.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(result).containsExactlyElementsOf(FaultJobs.expectedSums());
      assertThat(listener.failedTasks()).as("the injected failure happened").isPositive();
    } finally {
      s.stop();
    }
  }

  @Test
  void speculativeCopiesOfMapTasksCountOnce() throws Exception {
    SparkSession s = dovetail("speculation")
        .config("spark.speculation", "true")
        .config("spark.speculation.interval", "100ms")
        .config("spark.speculation.multiplier", "2")
        .config("spark.speculation.quantile", "0.5")
        .config("spark.speculation.minTaskRuntime", "500ms")
        .getOrCreate();
    JobListener listener = new JobListener();
    s.sparkContext().addSparkListener(listener);
    try {
      List<String> result =
          FaultJobs.sumsWithAStraggler(JavaSparkContext.fromSparkContext(s.sparkContext()));
      s.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(result).containsExactlyElementsOf(FaultJobs.expectedSums());
      assertThat(listener.speculativeTasks()).as("a speculative copy ran").isPositive();
    } finally {
      s.stop();
    }
  }

  /** An external Dovetail cluster's settings for the storage-loss tests. */
  private static final Map<String, String> STORE_CONF = Map.of(
      "dovetail.metadata.server.heartbeatInterval", "300ms",
      "dovetail.metadata.server.heartbeatTimeout", "15s",
      "dovetail.storage.memoryLimit", "128m",
      "dovetail.transport.maxFrameSize", "32m");

  /** An application on the Spark cluster whose shuffles go to {@code dovetail}. */
  private static SparkSession against(ProcessCluster dovetail, String app, int replication) {
    return dovetail(app)
        .config("spark.dovetail.metadata.address", dovetail.metadataAddress())
        .config("spark.dovetail.shuffle.replication", Integer.toString(replication))
        .config("spark.dovetail.transport.maxFrameSize", "32m")
        .getOrCreate();
  }

  /**
   * A listener that kills storage server 0 when the first map stage completes, then creates
   * {@code killed} (reduce tasks of {@link FaultJobs#sumsAfter} wait for it).
   */
  private static JobListener killStorageServer0AtMapStageEnd(ProcessCluster dovetail,
      Path killed) {
    return new JobListener(stage -> {
      if (!Files.exists(killed)) {
        dovetail.storage(0).kill9();
        try {
          Files.createFile(killed);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }

  /**
   * Runs a two-stage job against an external Dovetail cluster and kills storage server 0 when the
   * map stage completes; reduce tasks wait for the kill before they read.
   */
  private JobListener killStorageServerMidJob(int replication, int storageServers)
      throws Exception {
    Path dir = TestDirs.create("kill-storage-r" + replication);
    Path killed = dir.resolve("killed");
    try (ProcessCluster dovetail = new ProcessCluster(dir, STORE_CONF).start(storageServers)) {
      SparkSession s = against(dovetail, "kill-storage-r" + replication, replication);
      JobListener listener = killStorageServer0AtMapStageEnd(dovetail, killed);
      s.sparkContext().addSparkListener(listener);
      try {
        List<String> result = FaultJobs.sumsReadAfter(
            JavaSparkContext.fromSparkContext(s.sparkContext()), killed.toString());
        s.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(dovetail.storage(0).process().isAlive()).isFalse();
        assertThat(result).containsExactlyElementsOf(FaultJobs.expectedSums());
        return listener;
      } finally {
        s.stop();
      }
    }
  }

  @Test
  void withReplicationOneALostStorageServerIsRecomputed() throws Exception {
    JobListener listener = killStorageServerMidJob(1, 2);
    assertThat(listener.failedStages()).as("the reduce stage hit a fetch failure").isPositive();
    assertThat(listener.stageRetries()).as("the map stage was recomputed").isPositive();
  }

  @Test
  void outputLostAgainInALaterJobIsRecomputedWithOneFailure() throws Exception {
    // Job 1 loses storage server 0 after its map stage: the map stage re-runs as attempt 1 and
    // its commits win. Job 2 reads the same shuffle through a new stage, and storage server 1 is
    // lost before it: the new stage re-runs the maps with an attempt number that starts over
    // (1 here, as high as the winners'), and must still replace them, or the reading stage
    // fails again on the same lost data.
    Path dir = TestDirs.create("lost-twice");
    Path killed = dir.resolve("killed");
    try (ProcessCluster dovetail = new ProcessCluster(dir, STORE_CONF).start(3)) {
      SparkSession s = against(dovetail, "lost-twice", 1);
      JobListener listener = killStorageServer0AtMapStageEnd(dovetail, killed);
      s.sparkContext().addSparkListener(listener);
      try {
        JavaPairRDD<Integer, Long> sums = FaultJobs.sumsAfter(
            JavaSparkContext.fromSparkContext(s.sparkContext()), killed.toString());
        assertThat(FaultJobs.sorted(sums.collect()))
            .containsExactlyElementsOf(FaultJobs.expectedSums());
        s.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(listener.failedStages()).as("job 1 hit the first loss").isEqualTo(1);

        dovetail.storage(1).kill9();
        assertThat(FaultJobs.sorted(sums.collect()))
            .containsExactlyElementsOf(FaultJobs.expectedSums());
        s.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(listener.failedStages() - 1).as("reading stages of job 2 that failed")
            .isEqualTo(1);
      } finally {
        s.stop();
      }
    }
  }

  @Test
  void withReplicationTwoALostStorageServerNeedsNoRetry() throws Exception {
    JobListener listener = killStorageServerMidJob(2, 3);
    assertThat(listener.failedStages()).isZero();
    assertThat(listener.stageRetries()).isZero();
  }
}
