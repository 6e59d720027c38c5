package io.dovetail.cli.demo;

import io.dovetail.cli.CommandFailedException;
import io.dovetail.cli.format.Units;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo, start to finish: check the distribution and ports, start the local cluster, generate
 * the input, sort and validate it once through Dovetail and once through Spark's built-in
 * shuffle, stop everything, then print the comparison and write the chart. Every process is
 * stopped on every path, also when the JVM is interrupted ({@link ChildProcesses}). Not
 * thread-safe; one run per instance.
 */
public final class Demo {
  /** The two runs compared: label, title, shuffle. */
  record Run(String label, String title, PipelineRun.Mode mode) {}

  static final List<Run> RUNS = List.of(
      new Run("dovetail", "Dovetail", PipelineRun.Mode.DOVETAIL),
      new Run("spark", "Spark built-in", PipelineRun.Mode.CLUSTER));

  private final DemoSettings settings;
  private final Progress progress;

  public Demo(DemoSettings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * Runs the demo; true if both outputs were valid. Failures are {@link CommandFailedException}s.
   */
  public boolean run() {
    Ports.requireFree(DemoSettings.HOST, portUses(settings));
    Distribution dist = Distribution.locate(settings.sparkHome());
    WorkDir work = new WorkDir(settings.workDir());
    work.prepare();
    String what = "TeraSort of " + Units.bytes(settings.sizeBytes()) + " ("
        + Units.count(settings.records()) + " records of 100 bytes, " + settings.partitions()
        + " partitions)";
    progress.line("Dovetail demo: " + what + ", once through Dovetail and once through "
        + "Spark's built-in shuffle");
    progress.line("Working in " + work.root() + "; logs in " + work.logs());

    List<RunReport> reports;
    try {
      reports = LocalCluster.run(dist, settings, work, progress, "demo", runner -> {
        progress.line("TeraGen: writing the input (local mode: it shuffles nothing)");
        runner.run("teragen", "TeraGen", PipelineRun.Mode.LOCAL, "gen");
        List<RunReport> done = new ArrayList<>();
        for (Run run : RUNS) {
          progress.line("TeraSort and TeraValidate through " + run.title());
          done.add(RunReport.read(run.title(),
              runner.run(run.label(), run.title(), run.mode(), "sort,validate")));
          if (!settings.keep()) {
            WorkDir.delete(work.output(run.label()));
          }
        }
        return done;
      });
    } finally {
      if (!settings.keep()) {
        work.deleteData();
      }
    }
    return report(work, what, reports);
  }

  private boolean report(WorkDir work, String what, List<RunReport> reports) {
    String table = Comparison.table(reports);
    progress.raw("\n" + what + ", 2 executors of 1 core:\n\n" + table + "\n");
    try {
      Files.writeString(work.table(), what + "\n\n" + table, StandardCharsets.UTF_8);
    } catch (IOException e) {
      progress.line("Cannot write " + work.table() + ": " + e.getMessage());
    }
    try {
      Comparison.chart(reports, what, work.chart());
      progress.line("Chart: " + work.chart());
    } catch (IOException | RuntimeException | LinkageError e) {
      // A machine without fonts or AWT still gets the table.
      progress.line("Cannot draw the chart (" + e + "); the table above has the numbers");
    }
    boolean valid = reports.stream().allMatch(RunReport::valid);
    for (RunReport r : reports) {
      if (!r.valid()) {
        progress.line("INVALID output of the " + r.label() + " run: " + r.problems());
      }
    }
    return valid;
  }

  /** Every fixed port the local cluster of {@code settings} listens on. */
  public static List<Ports.Use> portUses(DemoSettings settings) {
    List<Ports.Use> uses = new ArrayList<>();
    uses.add(new Ports.Use(settings.metadataPort(), "Dovetail metadata server"));
    for (int i = 0; i < DemoSettings.STORAGE_SERVERS; i++) {
      uses.add(new Ports.Use(settings.storagePort(i), "Dovetail storage server " + i));
    }
    uses.add(new Ports.Use(settings.masterPort(), "Spark master"));
    uses.add(new Ports.Use(settings.masterUiPort(), "Spark master web UI"));
    return uses;
  }
}
