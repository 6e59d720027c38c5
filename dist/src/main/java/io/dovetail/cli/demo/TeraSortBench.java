package io.dovetail.cli.demo;

import io.dovetail.cli.format.TextTable;
import io.dovetail.cli.format.Units;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The TeraSort benchmark: on one local cluster (the demo's), for each input size, TeraGen once,
 * then TeraSort and TeraValidate {@code runs} times through each shuffle, alternating which goes
 * first, every output validated. Writes {@code results.md}, {@code results.csv} and
 * {@code results.png} to the work directory after every run, so an interrupted benchmark keeps
 * what it measured. Every process is stopped on every path ({@link LocalCluster#run}). Not
 * thread-safe; one run per instance.
 */
public final class TeraSortBench {
  /** The shuffles by their command-line names, in the default order. */
  static final Map<String, Demo.Run> SHUFFLES = Map.of(
      "spark", Demo.RUNS.get(1), "dovetail", Demo.RUNS.get(0));

  /**
   * What the benchmark runs.
   *
   * @param cluster the cluster, work directory and data seed; its size is not used
   * @param sizes input sizes, in order
   * @param partitions partitions at every size; {@code null} for one per 64 MiB
   * @param runs runs of each shuffle at each size
   * @param shuffles names from {@link #SHUFFLES}; the first goes first in odd rounds
   * @param sparkConf added to every cluster application's Spark configuration
   */
  public record Settings(DemoSettings cluster, List<Long> sizes, Integer partitions, int runs,
      List<String> shuffles, Map<String, String> sparkConf) {
    public Settings {
      sizes = List.copyOf(sizes);
      shuffles = List.copyOf(shuffles);
      sparkConf = Map.copyOf(sparkConf);
      if (sizes.isEmpty()) {
        throw new IllegalArgumentException("--sizes needs at least one size");
      }
      for (long s : sizes) {
        if (s < DemoSettings.RECORD_SIZE) {
          throw new IllegalArgumentException("every size must be at least "
              + DemoSettings.RECORD_SIZE + " bytes");
        }
      }
      if (runs < 1) {
        throw new IllegalArgumentException("--runs must be at least 1");
      }
      if (partitions != null && partitions < 1) {
        throw new IllegalArgumentException("--partitions must be at least 1");
      }
      if (shuffles.isEmpty() || shuffles.stream().distinct().count() != shuffles.size()) {
        throw new IllegalArgumentException("--shuffles must name each shuffle at most once");
      }
      for (String s : shuffles) {
        if (!SHUFFLES.containsKey(s)) {
          throw new IllegalArgumentException("unknown shuffle '" + s + "'; the shuffles are "
              + "spark and dovetail");
        }
      }
    }

    int partitionsFor(long sizeBytes) {
      return partitions != null ? partitions : DemoSettings.defaultPartitions(sizeBytes);
    }
  }

  private final Settings settings;
  private final Progress progress;
  private final BenchResults results = new BenchResults();

  public TeraSortBench(Settings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * The shuffles of round {@code round} (0-based) in the order they run: as given in even
   * rounds, reversed in odd ones (A B, B A, A B, ...), so neither always runs on a cooler or
   * warmer machine.
   */
  static List<String> order(List<String> shuffles, int round) {
    List<String> o = new ArrayList<>(shuffles);
    if (round % 2 == 1) {
      Collections.reverse(o);
    }
    return o;
  }

  /** Runs the benchmark; true if every output was valid. */
  public boolean run() {
    DemoSettings base = settings.cluster();
    Ports.requireFree(DemoSettings.HOST, Demo.portUses(base));
    Distribution dist = Distribution.locate(base.sparkHome());
    WorkDir work = new WorkDir(base.workDir());
    work.prepare();
    String conditionsAtStart = machine();
    progress.line("TeraSort benchmark: sizes " + String.join(", ",
        settings.sizes().stream().map(Units::bytes).toList()) + ", " + settings.runs()
        + " run(s) of each shuffle per size, alternating which goes first");
    progress.line("Working in " + work.root() + "; logs in " + work.logs());
    try {
      LocalCluster.run(dist, base, work, progress, "benchmark", runner -> {
        for (long size : settings.sizes()) {
          runSize(runner, work, base.withSize(size, settings.partitionsFor(size)));
        }
        return null;
      });
    } finally {
      if (!base.keep()) {
        work.deleteData();
      }
      if (!results.runs().isEmpty()) {
        write(work, conditionsAtStart);
      }
    }
    progress.raw("\n" + summary() + "\n");
    for (BenchResults.Run r : results.runs()) {
      if (!r.report().valid()) {
        progress.line("INVALID output of " + r.shuffle() + " run " + r.run() + " at "
            + Units.bytes(r.sizeBytes()) + ": " + r.report().problems());
      }
    }
    return results.allValid();
  }

  private void runSize(PipelineRun clusterRunner, WorkDir work, DemoSettings s) {
    PipelineRun runner = clusterRunner.with(s, settings.sparkConf());
    String size = Units.bytes(s.sizeBytes());
    String tag = (s.sizeBytes() >> 20) + "m";
    progress.line("TeraGen: writing " + size + " (" + Units.count(s.records()) + " records, "
        + s.partitions() + " partitions; local mode, it shuffles nothing)");
    long genMillis = RunReport.wallMillis(runner.run("teragen-" + tag, "TeraGen " + size,
        PipelineRun.Mode.LOCAL, "gen"), "gen");
    int position = 0;
    for (int round = 0; round < settings.runs(); round++) {
      for (String name : order(settings.shuffles(), round)) {
        Demo.Run shuffle = SHUFFLES.get(name);
        position++;
        String label = tag + "-" + shuffle.label() + "-" + (round + 1);
        String title = shuffle.title() + " #" + (round + 1);
        progress.line(size + ", run " + (round + 1) + " of " + settings.runs() + ": TeraSort and "
            + "TeraValidate through " + shuffle.title() + " (load average " + loadAverage()
            + ")");
        long cpuBefore = serversCpuMillis(runner.processes());
        RunReport report = RunReport.read(shuffle.title(),
            runner.run(label, title, shuffle.mode(), "sort,validate"));
        long cpuAfter = serversCpuMillis(runner.processes());
        long serverCpu = cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore;
        if (!s.keep()) {
          WorkDir.delete(work.output(label));
        }
        results.add(new BenchResults.Run(s.sizeBytes(), s.partitions(), round + 1, position,
            genMillis, serverCpu, report));
        progress.line(String.format(Locale.ROOT, "%s, %s run %d: sort %s, validate %s, "
            + "shuffle %s written, Dovetail servers' CPU %s, output %s", size, shuffle.title(),
            round + 1, Units.seconds(report.sortMillis()), Units.seconds(report.validateMillis()),
            Units.bytes(report.shuffleBytesWritten()),
            serverCpu < 0 ? "unknown" : Units.seconds(serverCpu),
            report.valid() ? "valid" : "INVALID"));
      }
    }
    progress.line(size + ": median sort Dovetail / built-in = "
        + BenchResults.times(results.sortRatio(s.sizeBytes())));
    if (!s.keep()) {
      WorkDir.delete(work.input());
    }
  }

  private void write(WorkDir work, String conditionsAtStart) {
    DemoSettings c = settings.cluster();
    List<String> conditions = new ArrayList<>();
    conditions.add("Date: " + LocalDate.now() + "; machine at start: " + conditionsAtStart
        + "; load average at the end " + loadAverage());
    conditions.add("Cluster: " + LocalCluster.EXECUTORS + " executors of 1 core and "
        + c.executorMemory() + " heap (Spark standalone, one worker), "
        + DemoSettings.STORAGE_SERVERS + " Dovetail storage servers, replication "
        + c.replication() + ", Kryo; Spark's shuffle fetches over the network "
        + "(spark.shuffle.readHostLocalDisk=false)");
    conditions.add("Order: in each round both shuffles run once, the first one alternating; "
        + "TeraGen runs once per size in local mode");
    if (!settings.sparkConf().isEmpty()) {
      conditions.add("Extra Spark configuration: " + settings.sparkConf());
    }
    conditions.add("Ratio: Dovetail's median over the built-in shuffle's; below 1.00x Dovetail "
        + "is faster");
    try {
      Files.writeString(work.root().resolve("results.md"),
          results.markdown("TeraSort: Spark's built-in shuffle and Dovetail", conditions),
          StandardCharsets.UTF_8);
      Files.writeString(work.root().resolve("results.csv"), results.csv(),
          StandardCharsets.UTF_8);
      progress.line("Results: " + work.root().resolve("results.md") + ", results.csv");
    } catch (IOException e) {
      progress.line("Cannot write the results to " + work.root() + ": " + e.getMessage());
    }
    Path png = work.root().resolve("results.png");
    try {
      results.chart("TeraSort, 2 executors of 1 core: median wall times", png);
      progress.line("Chart: " + png);
    } catch (IOException | RuntimeException | LinkageError e) {
      // A machine without fonts or AWT still gets the tables.
      progress.line("Cannot draw the chart (" + e + "); results.md has the numbers");
    }
  }

  /**
   * CPU time used so far by the Dovetail servers among {@code processes} (the metadata server and
   * the storage servers), or -1 if the platform does not tell.
   */
  static long serversCpuMillis(ChildProcesses processes) {
    long total = 0;
    for (ChildProcesses.Child c : processes.running()) {
      if (c.name().equals(LocalCluster.METADATA) || c.name().startsWith(LocalCluster.STORAGE)) {
        Optional<Duration> cpu = c.process().info().totalCpuDuration();
        if (cpu.isEmpty()) {
          return -1;
        }
        total += cpu.get().toMillis();
      }
    }
    return total;
  }

  /** The per-size medians as a text table. */
  String summary() {
    TextTable t = new TextTable("Input",
        ">Sort, built-in", ">Sort, Dovetail", ">Dovetail / built-in", ">Validate, built-in",
        ">Validate, Dovetail", "Valid");
    for (long size : results.sizes()) {
      t.row(Units.bytes(size), median(size, BenchResults.BASELINE, RunReport::sortMillis),
          median(size, BenchResults.CONTENDER, RunReport::sortMillis),
          BenchResults.times(results.sortRatio(size)),
          median(size, BenchResults.BASELINE, RunReport::validateMillis),
          median(size, BenchResults.CONTENDER, RunReport::validateMillis),
          results.runs().stream().filter(r -> r.sizeBytes() == size)
              .allMatch(r -> r.report().valid()) ? "all" : "NO");
    }
    return "Median wall times of " + settings.runs() + " run(s) per shuffle and size:\n\n"
        + t.render("  ");
  }

  private String median(long size, String shuffle, ToLongFunction<RunReport> metric) {
    return BenchResults.seconds(results.median(size, shuffle, metric));
  }

  /** Cores, memory, Java and OS of this machine. */
  static String machine() {
    long memory = ManagementFactory.getPlatformMXBean(
        com.sun.management.OperatingSystemMXBean.class).getTotalMemorySize();
    return Runtime.getRuntime().availableProcessors() + " cores, " + Units.bytes(memory)
        + " memory, Java " + System.getProperty("java.version") + ", "
        + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        + ", load average " + loadAverage();
  }

  private static String loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", l);
  }
}
