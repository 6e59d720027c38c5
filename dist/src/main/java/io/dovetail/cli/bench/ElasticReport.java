package io.dovetail.cli.bench;

import io.dovetail.cli.demo.Comparison;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.knowm.xchart.CategoryChart;

/**
 * The benchmark's result: medians per case, the issue's targets as ratios of medians, every run,
 * as Markdown ({@code elastic.md}), CSV ({@code elastic.csv}, one row per run) and a PNG of wall
 * time, executor-seconds and recomputed map tasks ({@code elastic.png}). Stateless.
 */
public final class ElasticReport {
  /** Executor-seconds of Dovetail over the built-in shuffle's, undisturbed: at most this. */
  public static final double EXECUTOR_SECONDS_TARGET = 0.6;
  /** Wall time of Dovetail over the built-in shuffle's, an executor killed: at most this. */
  public static final double KILLED_WALL_TARGET = 0.7;
  static final String CSV_HEADER = "repetition,case,shuffle,executor_killed,wall_s,"
      + "executor_s,executors_added,max_alive,recomputed_map_tasks,recomputed_result_tasks,"
      + "resubmitted_stages,failed_tasks,records,digest,tail_alone_s,shuffle_tracking";

  /** Medians of one case over its runs (recomputation: the largest seen). */
  public record Summary(ElasticCase elasticCase, int runs, long wallMs, long executorMs,
      int maxAlive, int recomputedMapTasks, int resubmittedStages) {}

  /** One of the issue's targets: what was measured against what is asked. */
  public record Target(String what, String measured, String goal, boolean met) {}

  private ElasticReport() {}

  /** The median of {@code values}: the mean of the middle two for an even count. */
  static long median(long[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    long[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : Math.round((v[mid - 1] + v[mid]) / 2.0);
  }

  /** One summary per case that ran, in the cases' order. */
  public static Map<ElasticCase, Summary> summarize(List<ElasticResult> results) {
    Map<ElasticCase, Summary> out = new EnumMap<>(ElasticCase.class);
    for (ElasticCase c : ElasticCase.values()) {
      List<ElasticResult> runs = results.stream().filter(r -> r.elasticCase() == c).toList();
      if (runs.isEmpty()) {
        continue;
      }
      out.put(c, new Summary(c, runs.size(), median(runs, ElasticResult::wallMs),
          median(runs, ElasticResult::executorMs), (int) median(runs, ElasticResult::maxAlive),
          runs.stream().mapToInt(ElasticResult::recomputedMapTasks).max().orElse(0),
          runs.stream().mapToInt(ElasticResult::resubmittedStages).max().orElse(0)));
    }
    return out;
  }

  private static long median(List<ElasticResult> runs, ToLongFunction<ElasticResult> value) {
    return median(runs.stream().mapToLong(value).toArray());
  }

  /** The issue's targets that the cases run allow checking. */
  public static List<Target> targets(Map<ElasticCase, Summary> s) {
    List<Target> out = new ArrayList<>();
    Summary b = s.get(ElasticCase.BUILTIN);
    Summary d = s.get(ElasticCase.DOVETAIL);
    if (b != null && d != null && b.executorMs() > 0) {
      double r = (double) d.executorMs() / b.executorMs();
      out.add(new Target("executor-seconds, Dovetail / built-in", ratio(r),
          "<= " + ratio(EXECUTOR_SECONDS_TARGET), r <= EXECUTOR_SECONDS_TARGET));
    }
    for (ElasticCase.Kill k : List.of(ElasticCase.Kill.IDLE_IN_TAIL,
        ElasticCase.Kill.TAIL_WRITER)) {
      Summary dk = s.get(killCase(true, k));
      Summary bk = s.get(killCase(false, k));
      String killed = k == ElasticCase.Kill.TAIL_WRITER ? "tail's executor killed"
          : "executor killed";
      if (dk != null) {
        out.add(new Target("recomputed map tasks, Dovetail, " + killed,
            Integer.toString(dk.recomputedMapTasks()), "0", dk.recomputedMapTasks() == 0));
      }
      if (bk != null && dk != null && bk.wallMs() > 0) {
        double r = (double) dk.wallMs() / bk.wallMs();
        out.add(new Target("wall time, " + killed + ", Dovetail / built-in", ratio(r),
            "<= " + ratio(KILLED_WALL_TARGET), r <= KILLED_WALL_TARGET));
      }
    }
    return out;
  }

  /** The case that kills at {@code k} through Dovetail or the built-in shuffle. */
  static ElasticCase killCase(boolean dovetail, ElasticCase.Kill k) {
    for (ElasticCase c : ElasticCase.values()) {
      if (c.dovetail() == dovetail && c.killAt() == k) {
        return c;
      }
    }
    throw new IllegalArgumentException("no case kills at " + k);
  }

  /**
   * Problems with the results themselves: a result that lost or gained records, results that
   * differ between runs, a kill case in which nothing was killed. Empty when all is well.
   */
  public static List<String> problems(List<ElasticResult> results) {
    List<String> out = new ArrayList<>();
    for (ElasticResult r : results) {
      if (r.records() != r.expectedRecords()) {
        out.add(name(r) + ": " + r.records() + " records in the result, " + r.expectedRecords()
            + " generated");
      }
      if (r.elasticCase().kill() && !r.killed()) {
        out.add(name(r) + ": nothing was killed; the case kills "
            + r.elasticCase().killAt().description());
      }
    }
    List<String> digests = results.stream().map(ElasticResult::digest).distinct().toList();
    if (digests.size() > 1) {
      out.add("the runs' results differ: " + results.stream().map(r -> name(r) + " "
          + r.digest()).collect(Collectors.joining(", ")));
    }
    return out;
  }

  static String name(ElasticResult r) {
    return r.elasticCase().label() + " #" + r.repetition();
  }

  /** The report in Markdown: conditions, medians, targets, every run. */
  public static String markdown(String conditions, List<ElasticResult> results) {
    Map<ElasticCase, Summary> summaries = summarize(results);
    StringBuilder md = new StringBuilder();
    md.append("# Elastic executors: a job with a long skewed tail\n\n").append(conditions)
        .append("\n\n");
    md.append("| Case | Runs | Wall time | Executor-seconds | Max executors alive "
        + "| Recomputed map tasks | Resubmitted stage attempts |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Summary s : summaries.values()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %d | %d |%n",
          s.elasticCase().title(), s.runs(), seconds(s.wallMs()), seconds(s.executorMs()),
          s.maxAlive(), s.recomputedMapTasks(), s.resubmittedStages()));
    }
    md.append("\nWall time and executor-seconds are medians over the runs; recomputation is the "
        + "most seen in one run.\n");
    List<Target> targets = targets(summaries);
    if (!targets.isEmpty()) {
      md.append("\n| Target | Measured | Goal | Met |\n|---|---:|---:|---|\n");
      for (Target t : targets) {
        md.append("| ").append(t.what()).append(" | ").append(t.measured()).append(" | ")
            .append(t.goal()).append(" | ").append(t.met() ? "yes" : "**no**").append(" |\n");
      }
    }
    md.append("\nEvery run:\n\n| # | Case | Wall time | Executor-seconds | Executors "
        + "| Recomputed map / result tasks | Resubmitted stages | Failed tasks "
        + "| Tail alone at | Killed | Shuffle tracking | Digest |\n"
        + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
    for (ElasticResult r : results) {
      md.append(String.format(Locale.ROOT,
          "| %d | %s | %s | %s | %d | %d / %d | %d | %d | %s | %s | %s | %s |%n",
          r.repetition(), r.elasticCase().title(), seconds(r.wallMs()),
          seconds(r.executorMs()), r.executorsAdded(), r.recomputedMapTasks(),
          r.recomputedResultTasks(), r.resubmittedStages(), r.failedTasks(),
          r.tailAloneMs() < 0 ? "-" : seconds(r.tailAloneMs()),
          r.killed() ? "executor " + r.victim() : "-", r.shuffleTracking(), r.digest()));
    }
    List<String> problems = problems(results);
    md.append(problems.isEmpty() ? "\nAll runs computed the same result, with every record.\n"
        : "\nPROBLEMS:\n\n" + problems.stream().map(p -> "* " + p + "\n")
            .collect(Collectors.joining()));
    return md.toString();
  }

  /** One CSV row per run, with a header line. */
  public static String csv(List<ElasticResult> results) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (ElasticResult r : results) {
      out.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%s,%.3f,"
          + "%s%n", r.repetition(), r.elasticCase().label(),
          r.elasticCase().dovetail() ? "dovetail" : "builtin", r.killed() ? r.victim() : "",
          r.wallMs() / 1000.0, r.executorMs() / 1000.0, r.executorsAdded(), r.maxAlive(),
          r.recomputedMapTasks(), r.recomputedResultTasks(), r.resubmittedStages(),
          r.failedTasks(), r.records(), r.digest(),
          r.tailAloneMs() < 0 ? -1.0 : r.tailAloneMs() / 1000.0, r.shuffleTracking()));
    }
    return out.toString();
  }

  /** Three panels: wall time, executor-seconds and recomputed map tasks, per case. */
  public static void chart(List<ElasticResult> results, String title, Path png)
      throws IOException {
    Map<ElasticCase, Summary> s = summarize(results);
    CategoryChart wall = Comparison.panel("Wall time (lower is better)", "seconds");
    CategoryChart cost = Comparison.panel("Executor-seconds (lower is better)", "seconds");
    CategoryChart redo = Comparison.panel("Recomputed map tasks", "tasks");
    for (boolean dovetail : new boolean[] {false, true}) {
      List<String> groups = new ArrayList<>();
      List<Double> wallS = new ArrayList<>();
      List<Double> costS = new ArrayList<>();
      List<Double> redone = new ArrayList<>();
      for (ElasticCase.Kill kill : ElasticCase.Kill.values()) {
        String group = switch (kill) {
          case NONE -> "undisturbed";
          case IDLE_IN_TAIL -> "idle executor killed";
          case TAIL_WRITER -> "tail's executor killed";
        };
        Summary x = s.values().stream().filter(v -> v.elasticCase().dovetail() == dovetail
            && v.elasticCase().killAt() == kill).findFirst().orElse(null);
        groups.add(group);
        wallS.add(x == null ? 0.0 : x.wallMs() / 1000.0);
        costS.add(x == null ? 0.0 : x.executorMs() / 1000.0);
        redone.add(x == null ? 0.0 : x.recomputedMapTasks());
      }
      String series = dovetail ? "Dovetail" : "Spark built-in";
      wall.addSeries(series, groups, wallS);
      cost.addSeries(series, groups, costS);
      redo.addSeries(series, groups, redone);
    }
    Comparison.png(title, List.of(wall, cost, redo), png);
  }

  /** Writes elastic.md, elastic.csv and elastic.png into {@code dir}; returns the Markdown. */
  public static String write(Path dir, String conditions, String chartTitle,
      List<ElasticResult> results, java.util.function.Consumer<String> notices)
      throws IOException {
    String md = markdown(conditions, results);
    Files.writeString(dir.resolve("elastic.md"), md, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("elastic.csv"), csv(results), StandardCharsets.UTF_8);
    try {
      chart(results, chartTitle, dir.resolve("elastic.png"));
    } catch (IOException | RuntimeException | LinkageError e) {
      // A machine without fonts or AWT still gets the tables.
      notices.accept("Cannot draw the chart (" + e + "); elastic.md has the numbers");
    }
    return md;
  }

  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2fx", r);
  }
}
