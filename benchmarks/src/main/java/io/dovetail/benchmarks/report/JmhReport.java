package io.dovetail.benchmarks.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.CategoryChart;

/**
 * Turns JMH's JSON results into {@code jmh.md} (how and where it ran, a line per score),
 * {@code jmh.csv} (the same, a column per parameter) and {@code jmh.png} (a panel of bars per
 * benchmark class, metric and unit: a bar per method, grouped by parameters, with JMH's error as
 * error bars). {@code benchmarks/bin/jmh} runs it after JMH:
 *
 * <pre>JmhReport jmh.json [outputDir] [loadAverageAtStart]</pre>
 *
 * Stateless.
 */
public final class JmhReport {
  /** Base name of the report files. */
  public static final String NAME = "jmh";
  static final String NO_PARAMS = "(no parameters)";

  private JmhReport() {}

  /**
   * How a benchmark ran.
   *
   * @param warmupTime and {@code measurementTime} as JMH writes them, e.g. "2 s"
   */
  public record Run(int forks, int threads, int warmupIterations, String warmupTime,
      int measurementIterations, String measurementTime) {
    String text() {
      return String.format(Locale.ROOT, "%d fork%s, %d thread%s, warm-up %d x %s,"
              + " measurement %d x %s", forks, forks == 1 ? "" : "s", threads,
          threads == 1 ? "" : "s", warmupIterations, warmupTime, measurementIterations,
          measurementTime);
    }
  }

  /**
   * One score: a benchmark's primary metric, or one of its secondary metrics, at one set of
   * parameters.
   *
   * @param benchmark JMH's name of the benchmark method, {@code package.Class.method}
   * @param metric empty for the primary metric, else the secondary metric's name
   * @param params parameter names and values, in JMH's order
   * @param error half-width of JMH's 99.9 % confidence interval; NaN when JMH gives none (too
   *     few iterations)
   */
  public record Score(String benchmark, String metric, String mode, Map<String, String> params,
      double score, double error, String unit, Run run) {
    /** The class's simple name. */
    public String className() {
      String[] parts = benchmark.split("\\.");
      return parts.length > 1 ? parts[parts.length - 2] : benchmark;
    }

    public String method() {
      return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** {@code Class.method}, and {@code :metric} for a secondary metric, as JMH prints it. */
    public String name() {
      return className() + "." + method() + (metric.isEmpty() ? "" : ":" + metric);
    }

    String paramsText() {
      List<String> p = new ArrayList<>();
      params.forEach((k, v) -> p.add(k + "=" + v));
      return p.isEmpty() ? "-" : String.join(", ", p);
    }
  }

  /** A JMH result file: the scores in JMH's order, and the JMH and VM versions that ran them. */
  public record Results(String jmhVersion, String vm, List<Score> scores) {}

  /** Where and when the report was made. */
  public record Conditions(String reported, int cores, String loadAtStart, String loadAtEnd) {}

  /** Reads JMH's JSON result format ({@code -rf json}). */
  public static Results parse(String json) {
    List<Score> scores = new ArrayList<>();
    String jmh = "";
    String vm = "";
    for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
      JsonObject b = e.getAsJsonObject();
      jmh = text(b, "jmhVersion");
      vm = (text(b, "vmName") + " " + text(b, "vmVersion")).trim();
      Run run = new Run(b.get("forks").getAsInt(), b.get("threads").getAsInt(),
          b.get("warmupIterations").getAsInt(), text(b, "warmupTime"),
          b.get("measurementIterations").getAsInt(), text(b, "measurementTime"));
      Map<String, String> params = new LinkedHashMap<>();
      if (b.has("params")) {
        b.getAsJsonObject("params").entrySet()
            .forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
      }
      String name = text(b, "benchmark");
      String mode = text(b, "mode");
      scores.add(score(name, "", mode, params, b.getAsJsonObject("primaryMetric"), run));
      if (b.has("secondaryMetrics")) {
        for (Map.Entry<String, JsonElement> m : b.getAsJsonObject("secondaryMetrics").entrySet()) {
          scores.add(score(name, m.getKey(), mode, params, m.getValue().getAsJsonObject(), run));
        }
      }
    }
    return new Results(jmh, vm, scores);
  }

  private static Score score(String benchmark, String metric, String mode,
      Map<String, String> params, JsonObject m, Run run) {
    // JMH writes NaN as the string "NaN", which getAsDouble parses.
    return new Score(benchmark, metric, mode, params, m.get("score").getAsDouble(),
        m.has("scoreError") ? m.get("scoreError").getAsDouble() : Double.NaN,
        text(m, "scoreUnit"), run);
  }

  private static String text(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? "" : e.getAsString();
  }

  /** The report: conditions, then a line per score. */
  public static String markdown(Results results, Conditions conditions) {
    StringBuilder sb = new StringBuilder("# JMH microbenchmarks\n\n");
    sb.append("* Reported ").append(conditions.reported()).append("; ")
        .append(conditions.cores()).append(" cores\n");
    sb.append("* Load average (1, 5, 15 minutes): ")
        .append(conditions.loadAtStart().isEmpty() ? ""
            : conditions.loadAtStart() + " at the start, ")
        .append(conditions.loadAtEnd()).append(" at the end\n");
    sb.append("* JMH ").append(results.jmhVersion()).append(", ").append(results.vm())
        .append('\n');
    Map<String, Set<String>> classesByRun = new LinkedHashMap<>();
    for (Score s : results.scores()) {
      classesByRun.computeIfAbsent(s.run().text(), k -> new LinkedHashSet<>()).add(s.className());
    }
    classesByRun.forEach((run, classes) ->
        sb.append("* ").append(String.join(", ", classes)).append(": ").append(run).append('\n'));
    sb.append("* Error: half the width of the 99.9 % confidence interval; - where JMH gives none"
        + " (too few iterations)\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (Score s : results.scores()) {
      int decimals = decimals(s.score());
      rows.add(List.of(s.name(), s.paramsText(), s.mode(), number(s.score(), decimals),
          Double.isNaN(s.error()) ? "-" : "± " + number(s.error(), decimals), s.unit()));
    }
    sb.append(Reports.markdownTable(
        List.of("Benchmark", "Params", "Mode", ">Score", ">Error", "Unit"), rows));
    return sb.toString();
  }

  /** Decimals that show three significant digits of {@code x}, none above 100. */
  static int decimals(double x) {
    if (x == 0 || !Double.isFinite(x)) {
      return 3;
    }
    return (int) Math.min(9, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x)))));
  }

  /** {@code x} with {@code decimals} decimals and thousands separators: "986,969", "9.10". */
  static String number(double x, int decimals) {
    return Double.isFinite(x) ? String.format(Locale.ROOT, "%,." + decimals + "f", x)
        : Double.toString(x);
  }

  /** One line per score, a column per parameter name (empty where a benchmark has none). */
  public static String csv(Results results) {
    Set<String> paramNames = new LinkedHashSet<>();
    results.scores().forEach(s -> paramNames.addAll(s.params().keySet()));
    List<String> header = new ArrayList<>(List.of("benchmark", "metric", "mode"));
    paramNames.forEach(p -> header.add("param_" + p));
    header.addAll(List.of("score", "score_error", "unit", "forks", "threads",
        "warmup_iterations", "warmup_time", "measurement_iterations", "measurement_time"));
    List<List<String>> rows = new ArrayList<>();
    for (Score s : results.scores()) {
      List<String> row = new ArrayList<>(List.of(s.benchmark(), s.metric(), s.mode()));
      paramNames.forEach(p -> row.add(s.params().getOrDefault(p, "")));
      Run r = s.run();
      row.addAll(List.of(plain(s.score()), plain(s.error()), s.unit(),
          Integer.toString(r.forks()), Integer.toString(r.threads()),
          Integer.toString(r.warmupIterations()), r.warmupTime(),
          Integer.toString(r.measurementIterations()), r.measurementTime()));
      rows.add(row);
    }
    return Reports.csv(header, rows);
  }

  private static String plain(double x) {
    return Double.isFinite(x) ? BigDecimal.valueOf(x).toPlainString() : Double.toString(x);
  }

  /**
   * The chart: a panel per benchmark class, metric, mode and unit; in each, the parameter sets
   * along the axis and a bar per method, with error bars (cut off at twice the panel's highest
   * score).
   */
  public static void chart(Results results, Path png) throws IOException {
    Map<Panel, List<Score>> panels = new LinkedHashMap<>();
    for (Score s : results.scores()) {
      Panel key = new Panel(s.className() + (s.metric().isEmpty() ? "" : ": " + s.metric()),
          s.unit() + " (" + s.mode() + ")");
      panels.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    List<CategoryChart> charts = new ArrayList<>();
    panels.forEach((key, scores) -> charts.add(panel(key.title(), key.yAxis(), scores)));
    Reports.png(png, "JMH scores (error bars: 99.9 % confidence interval)", charts);
  }

  /** A panel of the chart: its title and the unit and mode on its y axis. */
  private record Panel(String title, String yAxis) {}

  private static CategoryChart panel(String title, String yAxis, List<Score> scores) {
    Set<String> paramNames = new LinkedHashSet<>();
    scores.forEach(s -> paramNames.addAll(s.params().keySet()));
    Set<String> categories = new LinkedHashSet<>();
    Set<String> methods = new LinkedHashSet<>();
    for (Score s : scores) {
      categories.add(category(s, paramNames));
      methods.add(s.method());
    }
    CategoryChart chart = Reports.barPanel(title, String.join(", ", paramNames), yAxis);
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
    // Error bars far above the scores (a loaded machine, few iterations) would flatten the bars:
    // the axis ends at twice the highest score and cuts them off.
    double top = scores.stream().mapToDouble(Score::score).max().orElse(0);
    if (top > 0 && scores.stream().anyMatch(s -> s.score() + errorBar(s) > 2 * top)) {
      chart.getStyler().setYAxisMax(2 * top);
    }
    for (String method : methods) {
      // xchart draws error bars only for a series without gaps: a missing bar is a zero.
      List<Double> values = new ArrayList<>();
      List<Double> errors = new ArrayList<>();
      for (String category : categories) {
        Score s = scores.stream()
            .filter(x -> x.method().equals(method) && category(x, paramNames).equals(category))
            .findFirst().orElse(null);
        values.add(s == null ? 0.0 : s.score());
        errors.add(s == null ? 0.0 : errorBar(s));
      }
      chart.addSeries(method, List.copyOf(categories), values, errors);
    }
    return chart;
  }

  private static double errorBar(Score s) {
    return Double.isFinite(s.error()) ? s.error() : 0.0;
  }

  private static String category(Score s, Set<String> paramNames) {
    if (paramNames.isEmpty()) {
      return NO_PARAMS;
    }
    List<String> values = new ArrayList<>();
    paramNames.forEach(p -> values.add(s.params().getOrDefault(p, "-")));
    return String.join(", ", values);
  }

  /** Writes jmh.md, jmh.csv and jmh.png into {@code dir}, creating it; returns their paths. */
  public static List<Path> write(Results results, Conditions conditions, Path dir)
      throws IOException {
    Path md = dir.resolve(NAME + ".md");
    Path csv = dir.resolve(NAME + ".csv");
    Path png = dir.resolve(NAME + ".png");
    Reports.write(md, markdown(results, conditions));
    Reports.write(csv, csv(results));
    chart(results, png);
    return List.of(md, csv, png);
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("Usage: JmhReport <jmh.json> [outputDir] [loadAverageAtStart]");
      System.exit(2);
    }
    Path json = Path.of(args[0]);
    Path dir = args.length > 1 ? Path.of(args[1]) : json.toAbsolutePath().getParent();
    Results results = parse(Files.readString(json));
    if (results.scores().isEmpty()) {
      System.err.println("No JMH results in " + json + ": no report written");
      System.exit(1);
    }
    Conditions conditions = new Conditions(
        ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        Runtime.getRuntime().availableProcessors(), args.length > 2 ? args[2] : "",
        Reports.loadAverage());
    List<Path> files = write(results, conditions, dir);
    System.out.println("JMH report: " + String.join(", ", files.stream().map(Path::toString)
        .toList()));
  }
}
