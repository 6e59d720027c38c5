package io.dovetail.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.cli.demo.ChildProcesses;
import io.dovetail.cli.demo.Distribution;
import io.dovetail.cli.demo.PipelineRun;
import io.dovetail.cli.demo.Progress;
import io.dovetail.cli.demo.WorkDir;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElasticAppTest {
  static final ElasticSettings SETTINGS = new ElasticSettings(Path.of("w"), 20_000, null, "1g", 4,
      "5s", 1, List.of(ElasticCase.values()), new ElasticSettings.Job(1000, 4, 4, 0.8, 1, 1, 1));

  static PipelineRun submit() {
    Distribution d = new Distribution(Path.of("/d"), Path.of("/d/lib"),
        Path.of("/d/plugin/dovetail-spark.jar"), Path.of("/d/examples/dovetail-examples.jar"),
        Path.of("/d/spark"), Path.of("/usr/bin/java"));
    try (ChildProcesses none = new ChildProcesses()) {
      return new PipelineRun(d, SETTINGS.cluster(), new WorkDir(Path.of("w")), none,
          new Progress(new PrintWriter(new StringWriter())));
    }
  }

  @Test
  void bothShufflesRunWithDynamicAllocationAndNoShuffleService() {
    for (ElasticCase c : ElasticCase.values()) {
      var conf = ElasticApp.sparkConf(submit(), SETTINGS, c);
      assertThat(conf).containsEntry("spark.dynamicAllocation.enabled", "true")
          .containsEntry("spark.shuffle.service.enabled", "false")
          .containsEntry("spark.dynamicAllocation.executorIdleTimeout", "5s")
          .containsEntry("spark.dynamicAllocation.maxExecutors", "4")
          .containsEntry("spark.dynamicAllocation.initialExecutors", "0")
          .containsEntry("spark.scheduler.minRegisteredResourcesRatio", "0")
          .containsEntry("spark.cores.max", "4")
          .containsEntry("spark.executor.cores", "1");
      if (c.dovetail()) {
        // The plugin decides shuffle tracking (off) and the ShuffleDataIO itself.
        assertThat(conf).containsEntry("spark.shuffle.manager",
            PipelineRun.DOVETAIL_SHUFFLE_MANAGER)
            .doesNotContainKey("spark.dynamicAllocation.shuffleTracking.enabled")
            .doesNotContainKey("spark.shuffle.sort.io.plugin.class");
      } else {
        assertThat(conf).containsEntry("spark.dynamicAllocation.shuffleTracking.enabled", "true")
            .doesNotContainKey("spark.shuffle.manager");
      }
    }
  }

  @Test
  void theJobGetsItsSizeAsArguments() {
    assertThat(SETTINGS.job().args()).containsExactly("--records", "1000", "--maps", "4",
        "--reduces", "4", "--skew", "0.8", "--map-rounds", "1", "--rounds", "1", "--seed", "1");
  }
}
