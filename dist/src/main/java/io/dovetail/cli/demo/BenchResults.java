package io.dovetail.cli.demo;

import io.dovetail.cli.format.Units;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;
import org.knowm.xchart.CategoryChart;

/**
 * The TeraSort benchmark's results: every run (input size, shuffle, run number, its place in the
 * order, TeraGen time of its input, and its {@link RunReport}), and from them per size the median
 * sort and validate times of each shuffle and their ratio. Renders them as Markdown, CSV and a
 * PNG chart. Not thread-safe.
 */
public final class BenchResults {
  /** The baseline (first column, denominator of the ratio) and the contender. */
  public static final String BASELINE = "Spark built-in";
  public static final String CONTENDER = "Dovetail";
  static final List<String> SHUFFLES = List.of(BASELINE, CONTENDER);

  /**
   * One run of TeraSort and TeraValidate.
   *
   * @param sizeBytes input size
   * @param partitions input files, map and reduce tasks
   * @param run 1-based run number of this shuffle at this size
   * @param position 1-based place of the run in the sequence of all runs at this size
   * @param genMillis wall time of TeraGen writing this size's input (once per size)
   * @param serverCpuMillis CPU time the Dovetail servers (metadata and storage) used during the
   *     run, or -1 if unknown; about zero for runs of the built-in shuffle
   * @param report what the run reported; its label is the shuffle's title
   */
  public record Run(long sizeBytes, int partitions, int run, int position, long genMillis,
      long serverCpuMillis, RunReport report) {
    public String shuffle() {
      return report.label();
    }
  }

  private final List<Run> runs = new ArrayList<>();

  public void add(Run run) {
    runs.add(run);
  }

  public List<Run> runs() {
    return List.copyOf(runs);
  }

  /** Input sizes in the order first run. */
  public List<Long> sizes() {
    return runs.stream().map(Run::sizeBytes).distinct().toList();
  }

  /** The median of {@code values}: the middle one, or the mean of the two middle ones. */
  public static OptionalDouble median(List<Long> values) {
    if (values.isEmpty()) {
      return OptionalDouble.empty();
    }
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return OptionalDouble.of(n % 2 == 1 ? sorted.get(n / 2)
        : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0);
  }

  /** {@code a / b}, empty unless both are present and b is positive. */
  public static OptionalDouble ratio(OptionalDouble a, OptionalDouble b) {
    return a.isPresent() && b.isPresent() && b.getAsDouble() > 0
        ? OptionalDouble.of(a.getAsDouble() / b.getAsDouble()) : OptionalDouble.empty();
  }

  /** The median of {@code metric} over the runs of {@code shuffle} at {@code sizeBytes}. */
  public OptionalDouble median(long sizeBytes, String shuffle, ToLongFunction<RunReport> metric) {
    return median(runs.stream().filter(r -> r.sizeBytes() == sizeBytes
        && r.shuffle().equals(shuffle)).map(r -> metric.applyAsLong(r.report())).toList());
  }

  /** Median sort time of Dovetail over that of the built-in shuffle at {@code sizeBytes}. */
  public OptionalDouble sortRatio(long sizeBytes) {
    return ratio(median(sizeBytes, CONTENDER, RunReport::sortMillis),
        median(sizeBytes, BASELINE, RunReport::sortMillis));
  }

  public boolean allValid() {
    return runs.stream().allMatch(r -> r.report().valid());
  }

  /**
   * The results as Markdown: {@code conditions} (one bullet each), the summary per size (medians
   * and ratios), then every run.
   */
  public String markdown(String title, List<String> conditions) {
    StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
    for (String c : conditions) {
      sb.append("* ").append(c).append('\n');
    }
    sb.append("\nMedians per input size (wall times measured in the driver around each step):\n\n");
    sb.append("| Input | Partitions | Runs (built-in + Dovetail) | TeraGen | Sort, built-in "
        + "| Sort, Dovetail | Sort ratio | Validate, built-in | Validate, Dovetail "
        + "| Validate ratio | Valid |\n");
    sb.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for (long size : sizes()) {
      List<Run> at = runs.stream().filter(r -> r.sizeBytes() == size).toList();
      OptionalDouble sortB = median(size, BASELINE, RunReport::sortMillis);
      OptionalDouble sortC = median(size, CONTENDER, RunReport::sortMillis);
      OptionalDouble valB = median(size, BASELINE, RunReport::validateMillis);
      OptionalDouble valC = median(size, CONTENDER, RunReport::validateMillis);
      sb.append("| ").append(Units.bytes(size))
          .append(" | ").append(at.get(0).partitions())
          .append(" | ").append(runCounts(at))
          .append(" | ").append(Units.seconds(at.get(0).genMillis()))
          .append(" | ").append(seconds(sortB)).append(" | ").append(seconds(sortC))
          .append(" | **").append(times(ratio(sortC, sortB))).append("**")
          .append(" | ").append(seconds(valB)).append(" | ").append(seconds(valC))
          .append(" | ").append(times(ratio(valC, valB)))
          .append(" | ").append(at.stream().allMatch(r -> r.report().valid()) ? "all" : "NO")
          .append(" |\n");
    }
    sb.append("\nEvery run, in the order run:\n\n");
    sb.append("| Input | # | Shuffle | Run | Sort | Validate | Shuffle written | Shuffle read "
        + "| Records | Dovetail servers' CPU | Valid |\n");
    sb.append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for (Run r : runs) {
      RunReport p = r.report();
      sb.append("| ").append(Units.bytes(r.sizeBytes())).append(" | ").append(r.position())
          .append(" | ").append(r.shuffle()).append(" | ").append(r.run())
          .append(" | ").append(Units.seconds(p.sortMillis()))
          .append(" | ").append(Units.seconds(p.validateMillis()))
          .append(" | ").append(Units.bytes(p.shuffleBytesWritten()))
          .append(" | ").append(Units.bytes(p.shuffleBytesRead()))
          .append(" | ").append(Units.count(p.records()))
          .append(" | ").append(r.serverCpuMillis() < 0 ? "-" : Units.seconds(r.serverCpuMillis()))
          .append(" | ").append(p.valid() ? "yes" : "NO: " + p.problems().replace('|', '/'))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String runCounts(List<Run> at) {
    List<String> parts = new ArrayList<>();
    for (String s : SHUFFLES) {
      parts.add(Long.toString(at.stream().filter(r -> r.shuffle().equals(s)).count()));
    }
    return String.join(" + ", parts);
  }

  /** Column names of {@link #csv()}. */
  static final String CSV_HEADER = "size_bytes,partitions,records,shuffle,run,position,gen_ms,"
      + "sort_ms,validate_ms,shuffle_bytes_written,shuffle_bytes_read,shuffle_records_written,"
      + "shuffle_records_read,server_cpu_ms,valid,problems";

  /** One line per run, with a header line; times in milliseconds, sizes in bytes. */
  public String csv() {
    StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
    for (Run r : runs) {
      RunReport p = r.report();
      sb.append(r.sizeBytes()).append(',').append(r.partitions()).append(',')
          .append(p.records()).append(',').append(csvField(r.shuffle())).append(',')
          .append(r.run()).append(',').append(r.position()).append(',')
          .append(r.genMillis()).append(',').append(p.sortMillis()).append(',')
          .append(p.validateMillis()).append(',').append(p.shuffleBytesWritten()).append(',')
          .append(p.shuffleBytesRead()).append(',').append(p.shuffleRecordsWritten()).append(',')
          .append(p.shuffleRecordsRead()).append(',').append(r.serverCpuMillis()).append(',')
          .append(p.valid()).append(',')
          .append(csvField(p.problems())).append('\n');
    }
    return sb.toString();
  }

  /** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
  static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0
        && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** Writes the chart: median sort and validate times per size, one bar per shuffle. */
  public void chart(String title, Path png) throws IOException {
    CategoryChart sort = Comparison.panel("Median TeraSort wall time (lower is better)",
        "seconds");
    CategoryChart validate = Comparison.panel("Median TeraValidate wall time", "seconds");
    List<String> categories = sizes().stream().map(Units::bytes).toList();
    // Dovetail first, in the demo's colours.
    for (String s : List.of(CONTENDER, BASELINE)) {
      if (runs.stream().noneMatch(r -> r.shuffle().equals(s))) {
        continue;
      }
      sort.addSeries(s, categories, seconds(s, RunReport::sortMillis));
      validate.addSeries(s, categories, seconds(s, RunReport::validateMillis));
    }
    Comparison.png(title, List.of(sort, validate), png);
  }

  private List<Double> seconds(String shuffle, ToLongFunction<RunReport> metric) {
    return sizes().stream().map(size -> median(size, shuffle, metric).orElse(0) / 1000.0)
        .toList();
  }

  /** Milliseconds as "12.3 s", or "-". */
  static String seconds(OptionalDouble millis) {
    return millis.isPresent() ? Units.seconds(Math.round(millis.getAsDouble())) : "-";
  }

  /** A ratio as "1.13x", or "-". */
  static String times(OptionalDouble ratio) {
    return ratio.isPresent() ? String.format(Locale.ROOT, "%.2fx", ratio.getAsDouble()) : "-";
  }
}
