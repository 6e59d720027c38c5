package io.dovetail.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorKillerTest {

  @Test
  void theJobsAnnouncementsAreParsed() {
    var t = ExecutorKiller.parse("elastic: tail-alone app=app-2026-0001 tail-executor=3 "
        + "victim=1").orElseThrow();
    assertThat(t).isEqualTo(new ExecutorKiller.Announcement(
        ElasticCase.Kill.IDLE_IN_TAIL.moment(), "app-2026-0001", "3", "1"));
    assertThat(t.hasVictim()).isTrue();
    assertThat(ExecutorKiller.parse("elastic: tail-alone app=a tail-executor=0 victim=none")
        .orElseThrow().hasVictim()).isFalse();
    assertThat(ExecutorKiller.parse("elastic: tail-done app=a tail-executor=2 victim=2"))
        .contains(new ExecutorKiller.Announcement(ElasticCase.Kill.TAIL_WRITER.moment(), "a",
            "2", "2"));
    assertThat(ExecutorKiller.parse("elastic: tail-later app=a tail-executor=2 victim=2"))
        .isEmpty();
    assertThat(ExecutorKiller.parse("progress: executor 1 added (1 alive)")).isEmpty();
  }

  @Test
  void anExecutorIsMatchedByApplicationAndWholeExecutorId() {
    String cmd = "java -cp x org.apache.spark.executor.CoarseGrainedExecutorBackend "
        + "--driver-url spark://a --executor-id 12 --hostname 127.0.0.1 --cores 1 "
        + "--app-id app-7 --worker-url spark://w";
    assertThat(ExecutorKiller.isExecutor(cmd, "app-7", "12")).isTrue();
    assertThat(ExecutorKiller.isExecutor(cmd, "app-7", "1")).isFalse();
    assertThat(ExecutorKiller.isExecutor(cmd, "app-70", "12")).isFalse();
    assertThat(ExecutorKiller.isExecutor(cmd.replace("CoarseGrained", "Other"), "app-7", "12"))
        .isFalse();
    // The last argument has no space after it.
    assertThat(ExecutorKiller.isExecutor("CoarseGrainedExecutorBackend --executor-id 4 "
        + "--app-id app-1", "app-1", "4")).isTrue();
  }

  /** A real process whose command line names an executor is found and dies by SIGKILL. */
  @Test
  void theNamedProcessIsFoundAndKilled() throws Exception {
    List<Process> started = new java.util.ArrayList<>();
    try {
      for (String id : List.of("1", "2")) {
        // "; true" keeps bash from exec-ing sleep, so the arguments stay in its command line.
        started.add(new ProcessBuilder("bash", "-c", "sleep 120; true",
            "CoarseGrainedExecutorBackend", "--executor-id", id, "--app-id", "app-test").start());
      }
      var found = ExecutorKiller.find(ProcessHandle.current().children(), "app-test", "2");
      assertThat(found).map(ProcessHandle::pid).contains(started.get(1).pid());
      assertThat(ExecutorKiller.kill(found.get())).isEqualTo(started.get(1).pid());
      assertThat(started.get(1).waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS))
          .isTrue();
      assertThat(started.get(1).exitValue()).isEqualTo(128 + 9);
      assertThat(started.get(0).isAlive()).isTrue();
      assertThat(ExecutorKiller.find(ProcessHandle.current().children(), "app-test", "3"))
          .isEmpty();
    } finally {
      started.forEach(Process::destroyForcibly);
    }
  }
}
