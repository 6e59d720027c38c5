package io.dovetail.cli.bench;

import io.dovetail.cli.CommandFailedException;
import io.dovetail.cli.demo.ChildProcesses;
import io.dovetail.cli.demo.Demo;
import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.cli.demo.Distribution;
import io.dovetail.cli.demo.LocalCluster;
import io.dovetail.cli.demo.Ports;
import io.dovetail.cli.demo.Progress;
import io.dovetail.cli.demo.WorkDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The elastic-executor benchmark, start to finish: start the demo's local cluster with a worker
 * for {@code maxExecutors} one-core executors, run every case (alternating which shuffle goes
 * first between repetitions), stop everything, then print the Markdown report and write it with
 * the CSV and the chart. Every process is stopped on every path ({@link ChildProcesses}). Not
 * thread-safe; one run per instance.
 */
public final class ElasticBench {
  private final ElasticSettings settings;
  private final Progress progress;

  public ElasticBench(ElasticSettings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** Runs the benchmark; true if every run computed the full, same result. */
  public boolean run() {
    DemoSettings cluster = settings.cluster();
    Ports.requireFree(DemoSettings.HOST, Demo.portUses(cluster));
    Distribution dist = Distribution.locate(settings.sparkHome());
    WorkDir work = new WorkDir(settings.workDir());
    work.prepare();
    for (String f : List.of("elastic.md", "elastic.csv", "elastic.png")) {
      try {
        Files.deleteIfExists(work.root().resolve(f));
      } catch (IOException e) {
        throw new CommandFailedException("cannot remove the old " + f + ": " + e.getMessage());
      }
    }
    progress.line("Dovetail elastic-executor benchmark: " + jobText() + "; "
        + settings.cases().size() + " cases x " + settings.repetitions() + " repetition"
        + (settings.repetitions() == 1 ? "" : "s"));
    progress.line("Working in " + work.root() + "; logs in " + work.logs());

    List<ElasticResult> results = new ArrayList<>();
    ChildProcesses processes = new ChildProcesses(ChildProcesses.DEFAULT_GRACE, progress::line);
    try {
      LocalCluster local = new LocalCluster(dist, cluster, work, processes, progress,
          settings.maxExecutors());
      local.start();
      ElasticApp app = new ElasticApp(dist, settings, work, processes, local.worker(),
          progress);
      for (int rep = 1; rep <= settings.repetitions(); rep++) {
        for (ElasticCase c : ElasticCase.order(settings.cases(), rep)) {
          progress.line(c.title() + " (repetition " + rep + " of " + settings.repetitions()
              + ")");
          ElasticResult r = app.run(c, rep);
          results.add(r);
          progress.line(String.format(Locale.ROOT, "  %s #%d: wall %.1f s, %.1f "
              + "executor-seconds, %d map tasks recomputed, %d stage attempts resubmitted",
              c.title(), rep, r.wallMs() / 1000.0, r.executorMs() / 1000.0,
              r.recomputedMapTasks(), r.resubmittedStages()));
        }
      }
      progress.line("Stopping the local cluster");
    } catch (RuntimeException e) {
      if (processes.closing()) {
        throw new CommandFailedException("interrupted; every process it started is stopped");
      }
      throw e;
    } finally {
      progress.line(processes.stopAll().describe(ChildProcesses.DEFAULT_GRACE));
      work.deleteData();
    }
    return report(work, results);
  }

  private String jobText() {
    ElasticSettings.Job j = settings.job();
    return String.format(Locale.ROOT, "skewed-tail job of %,d records (%d map tasks, %d "
        + "partitions, %.0f%% of the records in one)", j.records(), j.maps(), j.reduces(),
        j.skew() * 100);
  }

  /** The conditions paragraph of the report. */
  String conditions() {
    ElasticSettings.Job j = settings.job();
    return String.format(Locale.ROOT, "%s; %d rounds of work per record in the map stage, %d "
        + "in the skewed stage. Spark standalone, one worker offering %d one-core executors of "
        + "%s on a machine with %d cores; dynamic allocation from 0 to %d executors, "
        + "executorIdleTimeout %s, no external shuffle service. Built-in shuffle with "
        + "spark.dynamicAllocation.shuffleTracking.enabled=true; Dovetail with its defaults "
        + "(reliable ShuffleDataIO, no shuffle tracking, a disconnected executor removed at "
        + "once), 2 storage servers, replication 1. "
        + "Killed cases: SIGKILL to %s (executor killed), or to %s (tail's executor killed). "
        + "%d repetition%s, alternating which shuffle runs "
        + "first; measured %s.", jobText(), j.mapRounds(), j.rounds(),
        settings.maxExecutors(), settings.executorMemory(),
        Runtime.getRuntime().availableProcessors(), settings.maxExecutors(),
        settings.idleTimeout(), ElasticCase.Kill.IDLE_IN_TAIL.description(),
        ElasticCase.Kill.TAIL_WRITER.description(), settings.repetitions(), settings.repetitions() == 1 ? "" : "s",
        LocalDate.now());
  }

  private boolean report(WorkDir work, List<ElasticResult> results) {
    Path dir = work.root();
    String md;
    try {
      md = ElasticReport.write(dir, conditions(), "Skewed tail with dynamic allocation ("
          + settings.maxExecutors() + " executors max)", results, progress::line);
    } catch (IOException e) {
      throw new CommandFailedException("cannot write the report in " + dir + ": "
          + e.getMessage());
    }
    progress.raw("\n" + md + "\n");
    progress.line("Report: " + dir.resolve("elastic.md") + ", " + dir.resolve("elastic.csv")
        + ", " + dir.resolve("elastic.png"));
    List<String> problems = ElasticReport.problems(results);
    problems.forEach(p -> progress.line("PROBLEM: " + p));
    return problems.isEmpty();
  }
}
