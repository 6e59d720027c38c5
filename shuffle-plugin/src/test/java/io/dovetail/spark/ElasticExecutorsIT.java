package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.ServerState;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.ProcessCluster;
import io.dovetail.testkit.TestDirs;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Executors hold no shuffle data: with Dovetail, Spark releases idle executors without an
 * external shuffle service or shuffle tracking, loses no map output when an executor dies, and
 * jobs survive a storage server being drained. On a real standalone cluster.
 */
class ElasticExecutorsIT {
  static SparkStandaloneCluster spark;

  @BeforeAll
  static void start() {
    spark = new SparkStandaloneCluster(TestDirs.create("elastic"), true);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.close();
    }
  }

  static SparkSession.Builder dovetail(String app) {
    return StandaloneEquivalenceIT.session(spark, app)
        .config("spark.shuffle.manager", ShuffleEquivalence.DOVETAIL);
  }

  static void touch(Path file) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void idleMapSideExecutorsAreReleasedBeforeTheReduceStageStarts() throws Exception {
    Path marker = TestDirs.create("dyn").resolve("released");
    SparkSession s = dovetail("dynamic-allocation")
        .config("spark.dynamicAllocation.enabled", "true")
        .config("spark.dynamicAllocation.minExecutors", "0")
        .config("spark.dynamicAllocation.initialExecutors", "2")
        .config("spark.dynamicAllocation.maxExecutors", "2")
        // Long enough that an executor registered first is not released as idle before the second
        // registers and the job starts (an executor is idle from the moment it registers).
        .config("spark.dynamicAllocation.executorIdleTimeout", "10s")
        .config("spark.dynamicAllocation.schedulerBacklogTimeout", "1s")
        .getOrCreate();
    // Dovetail's defaults: reliable shuffle storage, no shuffle tracking, no shuffle service.
    assertThat(s.conf().get("spark.dynamicAllocation.shuffleTracking.enabled")).isEqualTo("false");
    assertThat(s.conf().get("spark.standalone.executorRemoveDelayOnDisconnection"))
        .isEqualTo("0s");
    assertThat(s.sparkContext().conf().get("spark.shuffle.service.enabled", "false"))
        .isEqualTo("false");
    // Executors that ran a task of the fast (4-task) map stage; the slow side is released once
    // one of them has been removed as idle.
    Set<String> ranFastMaps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    JobListener listener = new JobListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd event) {
        super.onTaskEnd(event);
        if (event.taskType().equals("ShuffleMapTask") && fastStage(this) == event.stageId()) {
          ranFastMaps.add(event.taskInfo().executorId());
        }
      }
    }.onExecutorRemoved(e -> {
      if (ranFastMaps.contains(e.executorId())) {
        touch(marker);
      }
    });
    s.sparkContext().addSparkListener(listener);
    try {
      Await.until(Duration.ofSeconds(60), "two executors",
          () -> s.sparkContext().getExecutorIds().size() == 2);
      List<String> result = FaultJobs.joinWithASlowSide(
          JavaSparkContext.fromSparkContext(s.sparkContext()), marker.toString());
      s.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(result).containsExactlyElementsOf(FaultJobs.expectedSums());

      int fastStage = fastStage(listener);
      SparkListenerStageSubmitted reduce = listener.stagesSubmitted.stream()
          .filter(e -> e.stageInfo().parentIds().contains(fastStage)).findFirst().orElseThrow();
      long reduceSubmitted = (long) reduce.stageInfo().submissionTime().get();
      assertThat(listener.executorsRemoved)
          .as("an executor holding fast map output, removed before the reduce stage started")
          .anySatisfy(r -> {
            assertThat(ranFastMaps).contains(r.executorId());
            assertThat(r.time()).isLessThan(reduceSubmitted);
          });
      assertThat(listener.stageRetries()).isZero();
      assertThat(listener.mapTasksRunTwice()).as("map tasks run twice").isZero();
    } finally {
      s.stop();
    }
  }

  /** The id of the map stage with 4 tasks (the fast side), or -1 before it is submitted. */
  static int fastStage(JobListener listener) {
    return listener.stagesSubmitted.stream().filter(e -> e.stageInfo().numTasks() == 4)
        .mapToInt(e -> e.stageInfo().stageId()).findFirst().orElse(-1);
  }

  /** The JVM of executor {@code executorId} of application {@code appId}. */
  static ProcessHandle executorProcess(String appId, String executorId) {
    return ProcessHandle.allProcesses().filter(p -> {
      String cmd = p.info().commandLine().orElse("");
      return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(appId)
          && cmd.contains("--executor-id " + executorId + " ");
    }).findFirst().orElseThrow(() -> new AssertionError("no process for executor " + executorId));
  }

  @Test
  void anExecutorKilledAfterTheMapStageCostsNoMapTaskRerun() throws Exception {
    Path marker = TestDirs.create("kill-exec").resolve("killed");
    SparkSession s = dovetail("kill-executor").getOrCreate();
    String appId = s.sparkContext().applicationId();
    JobListener listener = new JobListener(stage -> {
      if (!Files.exists(marker)) {
        String victim = s.sparkContext().getExecutorIds().head();
        ProcessHandle p = executorProcess(appId, victim);
        p.destroyForcibly(); // SIGKILL
        p.onExit().join();
        touch(marker);
      }
    });
    s.sparkContext().addSparkListener(listener);
    try {
      List<String> result = FaultJobs.sumsReadAfter(
          JavaSparkContext.fromSparkContext(s.sparkContext()), marker.toString());
      s.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(result).containsExactlyElementsOf(FaultJobs.expectedSums());
      assertThat(listener.executorsRemoved).as("the kill was noticed").isNotEmpty();
      assertThat(listener.mapTaskAttempts()).as("each of the 4 map tasks ran once").isEqualTo(4);
      assertThat(listener.mapTasksRunTwice()).isZero();
      assertThat(listener.stageRetries()).isZero();
    } finally {
      s.stop();
    }
  }

  @Test
  void aStorageServerDrainedDuringAJobLosesNothingAndLeaves() throws Exception {
    Path dir = TestDirs.create("drain");
    Path marker = dir.resolve("drained");
    try (ProcessCluster dovetail = new ProcessCluster(dir, Map.of(
        "dovetail.metadata.server.heartbeatInterval", "300ms",
        "dovetail.storage.memoryLimit", "128m",
        "dovetail.transport.maxFrameSize", "32m")).start(3)) {
      ManagedChannel channel = Rpc.channel(HostPort.parse(dovetail.metadataAddress()),
          new DovetailConf());
      var admin = AdminServiceGrpc.newBlockingStub(channel);
      try {
        SparkSession s = dovetail("drain")
            .config("spark.dovetail.metadata.address", dovetail.metadataAddress())
            .config("spark.dovetail.transport.maxFrameSize", "32m")
            .getOrCreate();
        int drained = dovetail.storage(0).port();
        s.sparkContext().addSparkListener(new JobListener(stage -> {
          if (!Files.exists(marker)) {
            admin.drainServer(DrainServerRequest.newBuilder().setHost("127.0.0.1")
                .setDataPort(drained).build());
            touch(marker);
          }
        }));
        try {
          JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
          assertThat(FaultJobs.sumsReadAfter(jsc, marker.toString()))
              .containsExactlyElementsOf(FaultJobs.expectedSums());
          // While draining, the server serves what it holds but receives no new partitions.
          assertThat(FaultJobs.sums(jsc, 12)).containsExactlyElementsOf(FaultJobs.expectedSums());
          var layout = io.dovetail.proto.MetadataServiceGrpc.newBlockingStub(channel)
              .getShuffleLayout(io.dovetail.proto.GetShuffleLayoutRequest.newBuilder()
                  .setAppId(((org.apache.spark.shuffle.dovetail.DovetailShuffleManager)
                      org.apache.spark.SparkEnv.get().shuffleManager()).storeAppId())
                  .setShuffleId(1).build())
              .getLayout();
          for (var p : layout.getPartitionsList()) {
            for (var e : p.getEpochsList()) {
              for (int server : e.getServersList()) {
                assertThat(layout.getServers(server).getDataPort()).isNotEqualTo(drained);
              }
            }
          }
        } finally {
          s.stop();
        }
        // Its shuffles are gone with the application: it leaves cleanly and is forgotten.
        assertThat(dovetail.storage(0).process().awaitExit(Duration.ofSeconds(60)))
            .as("the drained server exits").isTrue();
        assertThat(dovetail.storage(0).process().exitValue()).isZero();
        Await.until(Duration.ofSeconds(30), "the metadata server forgets it", () ->
            admin.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getServersList()
                .stream().noneMatch(x -> x.getServer().getDataPort() == drained
                    && x.getServer().getState() != ServerState.EXITED));
      } finally {
        Rpc.shutdown(channel);
      }
    }
  }
}
