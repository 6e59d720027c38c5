package io.dovetail.cli.bench;

import io.dovetail.cli.CommandFailedException;
import io.dovetail.cli.demo.ChildProcesses;
import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.cli.demo.Distribution;
import io.dovetail.cli.demo.PipelineRun;
import io.dovetail.cli.demo.Progress;
import io.dovetail.cli.demo.SparkRuntime;
import io.dovetail.cli.demo.WorkDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One application of the benchmark: the skewed-tail job submitted with dynamic allocation to the
 * local cluster through one shuffle; in a kill case, the executor the job names at the case's
 * moment ({@link ElasticCase.Kill}) is killed with SIGKILL at once. Not thread-safe (the kill happens on the
 * output relay's thread, which only this instance's run waits for).
 */
final class ElasticApp {
  static final String JOB = "io.dovetail.examples.elastic.SkewedTailJob";

  private final Distribution dist;
  private final ElasticSettings settings;
  private final WorkDir work;
  private final ChildProcesses processes;
  private final ChildProcesses.Child worker;
  private final Progress progress;
  private final PipelineRun submit;

  ElasticApp(Distribution dist, ElasticSettings settings, WorkDir work,
      ChildProcesses processes, ChildProcesses.Child worker, Progress progress) {
    this.dist = dist;
    this.settings = settings;
    this.work = work;
    this.processes = processes;
    this.worker = worker;
    this.progress = progress;
    this.submit = new PipelineRun(dist, settings.cluster(), work, processes, progress);
  }

  /** The Spark configuration of case {@code c}. */
  static Map<String, String> sparkConf(PipelineRun submit, ElasticSettings settings,
      ElasticCase c) {
    Map<String, String> conf = submit.sparkConf(c.dovetail() ? PipelineRun.Mode.DOVETAIL
        : PipelineRun.Mode.CLUSTER);
    String max = Integer.toString(settings.maxExecutors());
    conf.put("spark.cores.max", max);
    conf.put("spark.dynamicAllocation.enabled", "true");
    conf.put("spark.shuffle.service.enabled", "false");
    // Executors come when the job asks for them and go when idle: none are started ahead of
    // the job (an executor registered before the first task would already count as idle).
    conf.put("spark.dynamicAllocation.minExecutors", "0");
    conf.put("spark.dynamicAllocation.initialExecutors", "0");
    conf.put("spark.dynamicAllocation.maxExecutors", max);
    conf.put("spark.scheduler.minRegisteredResourcesRatio", "0");
    conf.put("spark.dynamicAllocation.executorIdleTimeout", settings.idleTimeout());
    conf.put("spark.dynamicAllocation.schedulerBacklogTimeout", "1s");
    if (!c.dovetail()) {
      // Without an external shuffle service, Spark allows dynamic allocation only with shuffle
      // tracking: executors that hold live shuffle output are not released. (Spark 4's default;
      // set so the comparison does not depend on it.) Dovetail's manager turns it off itself.
      conf.put("spark.dynamicAllocation.shuffleTracking.enabled", "true");
    }
    return conf;
  }

  /** Runs case {@code c}, repetition {@code rep}; fails if the application fails. */
  ElasticResult run(ElasticCase c, int rep) {
    String label = c.label() + "-" + rep;
    Path report = work.reports().resolve(label + ".properties");
    List<String> cmd = submit.submitCommand("Dovetail elastic benchmark: " + c.title(),
        c.dovetail() ? PipelineRun.Mode.DOVETAIL : PipelineRun.Mode.CLUSTER, JOB,
        sparkConf(submit, settings, c));
    cmd.addAll(settings.job().args());
    cmd.addAll(List.of("--label", label, "--report", report.toString()));
    AtomicReference<String> killed = new AtomicReference<>("");
    String title = c.title() + " #" + rep;
    ChildProcesses.Child app = processes.start(label, cmd,
        SparkRuntime.environment(dist, DemoSettings.HOST), work.log(label), line -> {
          Optional<ExecutorKiller.Announcement> moment = ExecutorKiller.parse(line);
          if (moment.isPresent()) {
            if (moment.get().moment().equals(c.killAt().moment())) {
              killed.set(kill(title, moment.get()));
            } else {
              progress.line("  " + title + ": " + describe(moment.get()));
            }
          } else if (line.startsWith("progress: ") || line.startsWith("step: ")) {
            progress.line("  " + title + ": " + line.substring(line.indexOf(' ') + 1));
          }
        });
    int status = processes.awaitExit(app);
    if (status != 0 || !Files.exists(report)) {
      throw new CommandFailedException(title + " failed (exit status " + status + "); from its "
          + "log, " + app.log() + ":\n" + app.errorSummary(15));
    }
    return ElasticResult.read(c, rep, report, killed.get());
  }

  private static String describe(ExecutorKiller.Announcement a) {
    return a.moment().equals(ElasticCase.Kill.TAIL_WRITER.moment())
        ? "the skewed stage is done; executor " + a.tailExecutor() + " ran the skewed partition"
        : "only the skewed partition is left, on executor " + a.tailExecutor();
  }

  /** Kills the victim the job named; returns its executor id, or "" if there was none. */
  private String kill(String title, ExecutorKiller.Announcement a) {
    if (!a.hasVictim()) {
      progress.line("  " + title + ": " + describe(a) + ", but no executor to kill is alive");
      return "";
    }
    Optional<ProcessHandle> p = ExecutorKiller.find(worker.process().descendants(),
        a.appId(), a.victim());
    if (p.isEmpty()) {
      progress.line("  " + title + ": executor " + a.victim() + " is already gone");
      return "";
    }
    long pid = ExecutorKiller.kill(p.get());
    progress.line("  " + title + ": " + describe(a) + "; killed executor " + a.victim()
        + " (pid " + pid + ") with SIGKILL");
    return a.victim();
  }
}
