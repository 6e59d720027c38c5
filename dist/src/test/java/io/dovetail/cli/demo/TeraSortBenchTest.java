package io.dovetail.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.testkit.TestDirs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TeraSortBenchTest {
  static final DemoSettings CLUSTER =
      new DemoSettings(1L << 30, 16, Path.of("w"), false, 20000, null, "1g", 1, 1);

  @Test
  void theFirstShuffleAlternates() {
    List<String> both = List.of("spark", "dovetail");
    assertThat(TeraSortBench.order(both, 0)).containsExactly("spark", "dovetail");
    assertThat(TeraSortBench.order(both, 1)).containsExactly("dovetail", "spark");
    assertThat(TeraSortBench.order(both, 2)).containsExactly("spark", "dovetail");
    assertThat(TeraSortBench.order(List.of("dovetail"), 1)).containsExactly("dovetail");
  }

  @Test
  void partitionsDefaultToOnePer64MiBPerSize() {
    TeraSortBench.Settings s = settings(List.of(1L << 30, 2L << 30), null, 3,
        List.of("spark", "dovetail"));
    assertThat(s.partitionsFor(1L << 30)).isEqualTo(16);
    assertThat(s.partitionsFor(2L << 30)).isEqualTo(32);
    assertThat(settings(List.of(1L << 30), 7, 1, List.of("spark")).partitionsFor(2L << 30))
        .isEqualTo(7);
  }

  @Test
  void badSettingsAreRefusedWithTheOptionNamed() {
    assertThatThrownBy(() -> settings(List.of(), null, 1, List.of("spark")))
        .hasMessageContaining("--sizes");
    assertThatThrownBy(() -> settings(List.of(50L), null, 1, List.of("spark")))
        .hasMessageContaining("at least 100 bytes");
    assertThatThrownBy(() -> settings(List.of(1L << 30), null, 0, List.of("spark")))
        .hasMessageContaining("--runs");
    assertThatThrownBy(() -> settings(List.of(1L << 30), 0, 1, List.of("spark")))
        .hasMessageContaining("--partitions");
    assertThatThrownBy(() -> settings(List.of(1L << 30), null, 1, List.of("spark", "spark")))
        .hasMessageContaining("at most once");
    assertThatThrownBy(() -> settings(List.of(1L << 30), null, 1, List.of("celeborn")))
        .hasMessageContaining("unknown shuffle 'celeborn'");
  }

  @Test
  void theShuffleNamesMapToTheDemoRuns() {
    assertThat(TeraSortBench.SHUFFLES.get("spark").title()).isEqualTo(BenchResults.BASELINE);
    assertThat(TeraSortBench.SHUFFLES.get("spark").mode()).isEqualTo(PipelineRun.Mode.CLUSTER);
    assertThat(TeraSortBench.SHUFFLES.get("dovetail").title())
        .isEqualTo(BenchResults.CONTENDER);
    assertThat(TeraSortBench.SHUFFLES.get("dovetail").mode())
        .isEqualTo(PipelineRun.Mode.DOVETAIL);
  }

  @Test
  void extraSparkConfGoesToClusterRunsLastAndOverrides() {
    Distribution dist = new Distribution(Path.of("/d"), Path.of("/d/lib"), Path.of("/d/p.jar"),
        Path.of("/d/e.jar"), Path.of("/d/spark"), Path.of("/usr/bin/java"));
    try (ChildProcesses processes = new ChildProcesses()) {
      PipelineRun base = new PipelineRun(dist, CLUSTER, new WorkDir(Path.of("w")), processes,
          null);
      PipelineRun profiled = base.with(CLUSTER.withSize(2L << 30, 32), Map.of(
          "spark.executor.extraJavaOptions", "-XX:+UnlockDiagnosticVMOptions",
          "spark.executor.memory", "2g"));
      Map<String, String> conf = profiled.sparkConf(PipelineRun.Mode.DOVETAIL);
      assertThat(conf).containsEntry("spark.executor.extraJavaOptions",
          "-XX:+UnlockDiagnosticVMOptions").containsEntry("spark.executor.memory", "2g")
          .containsEntry("spark.shuffle.manager", PipelineRun.DOVETAIL_SHUFFLE_MANAGER);
      assertThat(base.sparkConf(PipelineRun.Mode.CLUSTER))
          .containsEntry("spark.executor.memory", "1g")
          .doesNotContainKey("spark.executor.extraJavaOptions");
    }
  }

  /** Only the Dovetail servers' CPU counts: a busy child named otherwise is left out. */
  @Test
  void serverCpuCountsTheMetadataAndStorageServersOnly() throws Exception {
    Path dir = TestDirs.create("server-cpu");
    // Each child burns some CPU, says so, then stays alive until it is stopped.
    List<String> burn = List.of("bash", "-c",
        "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo burnt; exec sleep 600");
    try (ChildProcesses processes = new ChildProcesses()) {
      assertThat(TeraSortBench.serversCpuMillis(processes)).isZero();
      CountDownLatch worker = new CountDownLatch(1);
      processes.start("spark-worker", burn, Map.of(), dir.resolve("w.log"),
          line -> worker.countDown());
      assertThat(worker.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(TeraSortBench.serversCpuMillis(processes)).isZero();
      CountDownLatch storage = new CountDownLatch(1);
      processes.start(LocalCluster.STORAGE + 0, burn, Map.of(), dir.resolve("s.log"),
          line -> storage.countDown());
      assertThat(storage.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(TeraSortBench.serversCpuMillis(processes)).isPositive();
    }
  }

  private static TeraSortBench.Settings settings(List<Long> sizes, Integer partitions, int runs,
      List<String> shuffles) {
    return new TeraSortBench.Settings(CLUSTER, sizes, partitions, runs, shuffles, Map.of());
  }
}
