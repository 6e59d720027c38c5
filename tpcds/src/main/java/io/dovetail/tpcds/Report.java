package io.dovetail.tpcds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Collects the outcomes of a benchmark run and writes them: {@code tpcds-sf<scale>.md} (machine,
 * settings, summary, every mismatch and failure, per-query table), {@code .csv} (one line per
 * query) and {@code .png} (see {@link RatioChart}).
 *
 * <p>A query matches when every run of it through Dovetail gave the same lines as the first run
 * through the built-in shuffle (and the built-in runs agreed among themselves). Totals, ratios and
 * the geometric mean cover the queries that succeeded on both shuffles; failures are listed
 * separately, never folded into a total.
 *
 * <p>Not thread-safe; used by the benchmark's main thread.
 */
final class Report {
  private final TpcdsBenchmark.Options options;
  private final List<String> queries;
  private final Path data;
  private final String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  private final String loadAtStart = loadAverage();
  private final Map<String, Map<Sessions.Shuffle, List<QueryRunner.Outcome>>> outcomes =
      new LinkedHashMap<>();

  Report(TpcdsBenchmark.Options options, List<String> queries, Path data) {
    this.options = options;
    this.queries = queries;
    this.data = data;
    for (String q : queries) {
      outcomes.put(q, new EnumMap<>(Sessions.Shuffle.class));
    }
  }

  void add(Sessions.Shuffle shuffle, int run, QueryRunner.Outcome outcome) {
    List<QueryRunner.Outcome> runs =
        outcomes.get(outcome.query()).computeIfAbsent(shuffle, s -> new ArrayList<>());
    // Only the first run keeps its lines: later runs are compared by digest.
    runs.add(run == 0 ? outcome : new QueryRunner.Outcome(outcome.query(), outcome.millis(),
        null, outcome.digest(), outcome.error()));
  }

  /** One query's line as it stands: both times, ratio, rows, verdict. */
  String progressLine(String query) {
    Row r = row(query);
    return String.format(Locale.ROOT, "%-5s built-in %8s  dovetail %8s  ratio %6s  rows %6s  %s",
        query, ms(r.builtInMs), ms(r.dovetailMs), ratio(r), r.rows, r.verdict);
  }

  /** The per-query result. */
  record Row(String query, long builtInMs, long dovetailMs, String rows, String verdict,
      String detail, String builtInRuns, String dovetailRuns, String builtInDigest,
      String dovetailDigest) {
    boolean bothOk() {
      return builtInMs >= 0 && dovetailMs >= 0;
    }

    double ratio() {
      return (double) dovetailMs / Math.max(1, builtInMs);
    }
  }

  Row row(String query) {
    List<QueryRunner.Outcome> b = outcomes.get(query).getOrDefault(Sessions.Shuffle.BUILT_IN, List.of());
    List<QueryRunner.Outcome> d = outcomes.get(query).getOrDefault(Sessions.Shuffle.DOVETAIL, List.of());
    String bErr = firstError(b);
    String dErr = firstError(d);
    long bMs = bErr == null && !b.isEmpty() ? median(b) : -1;
    long dMs = dErr == null && !d.isEmpty() ? median(d) : -1;
    String verdict;
    String detail = "";
    String rows = b.isEmpty() || b.get(0).rows() < 0 ? "-" : Integer.toString(b.get(0).rows());
    if (bErr != null || dErr != null) {
      verdict = bErr != null && dErr != null ? "FAILED (both)"
          : bErr != null ? "FAILED (built-in)" : "FAILED (Dovetail)";
      detail = (bErr != null ? "built-in: " + bErr : "")
          + (bErr != null && dErr != null ? "; " : "") + (dErr != null ? "Dovetail: " + dErr : "");
    } else if (b.isEmpty() || d.isEmpty()) {
      verdict = "not run";
    } else {
      String expected = b.get(0).digest();
      boolean builtInStable = b.stream().allMatch(o -> o.digest().equals(expected));
      boolean same = d.stream().allMatch(o -> o.digest().equals(expected));
      if (same && builtInStable) {
        verdict = "match";
      } else {
        verdict = "MISMATCH";
        String diff = ResultRows.difference(b.get(0).lines(), d.get(0).lines());
        detail = (builtInStable ? "" : "built-in runs disagree among themselves; ")
            + (diff != null ? diff : "first runs equal, a later Dovetail run differs");
      }
    }
    return new Row(query, bMs, dMs, rows, verdict, detail, runs(b), runs(d),
        b.isEmpty() ? "" : String.valueOf(b.get(0).digest()),
        d.isEmpty() ? "" : String.valueOf(d.get(0).digest()));
  }

  private static String firstError(List<QueryRunner.Outcome> runs) {
    return runs.stream().filter(o -> !o.ok()).map(QueryRunner.Outcome::error).findFirst().orElse(null);
  }

  private static long median(List<QueryRunner.Outcome> runs) {
    long[] ms = runs.stream().mapToLong(QueryRunner.Outcome::millis).sorted().toArray();
    return ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  }

  private static String runs(List<QueryRunner.Outcome> runs) {
    return String.join(";", runs.stream().map(o -> Long.toString(o.millis())).toList());
  }

  /** Totals over the queries that succeeded on both shuffles. */
  record Summary(int queries, int bothOk, long builtInMs, long dovetailMs, double geomean,
      double medianRatio, Row fastest, Row slowest, List<Row> mismatches, List<Row> failures) {
    double totalRatio() {
      return (double) dovetailMs / Math.max(1, builtInMs);
    }

    boolean targetMet() {
      return mismatches.isEmpty() && failures.isEmpty() && totalRatio() <= 1.05;
    }
  }

  Summary summary() {
    List<Row> rows = queries.stream().map(this::row).toList();
    List<Row> ok = rows.stream().filter(Row::bothOk).toList();
    long b = ok.stream().mapToLong(Row::builtInMs).sum();
    long d = ok.stream().mapToLong(Row::dovetailMs).sum();
    double[] ratios = ok.stream().mapToDouble(Row::ratio).sorted().toArray();
    double geomean = ratios.length == 0 ? Double.NaN
        : Math.exp(Arrays.stream(ratios).map(Math::log).average().orElse(0));
    double median = ratios.length == 0 ? Double.NaN : ratios.length % 2 == 1
        ? ratios[ratios.length / 2] : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
    Row fastest = ok.stream().min((x, y) -> Double.compare(x.ratio(), y.ratio())).orElse(null);
    Row slowest = ok.stream().max((x, y) -> Double.compare(x.ratio(), y.ratio())).orElse(null);
    return new Summary(rows.size(), ok.size(), b, d, geomean, median, fastest, slowest,
        rows.stream().filter(r -> r.verdict.equals("MISMATCH")).toList(),
        rows.stream().filter(r -> r.verdict.startsWith("FAILED") || r.verdict.equals("not run"))
            .toList());
  }

  String summaryText() {
    Summary s = summary();
    return String.format(Locale.ROOT, "TPC-DS sf%s: %d queries, %d ran on both; built-in %.1f s, "
        + "Dovetail %.1f s, total ratio %.3f, geometric mean of ratios %.3f; %d mismatches, "
        + "%d failures; target (<= 1.05x, no mismatch) %s", TpcdsBenchmark.fmt(options.scale),
        s.queries, s.bothOk, s.builtInMs / 1e3, s.dovetailMs / 1e3, s.totalRatio(), s.geomean,
        s.mismatches.size(), s.failures.size(), s.targetMet() ? "MET" : "NOT MET");
  }

  /** Writes the Markdown, CSV and PNG files; returns the Markdown file. */
  Path write() throws IOException {
    String base = "tpcds-sf" + TpcdsBenchmark.fmt(options.scale);
    Path md = options.out.resolve(base + ".md");
    Files.writeString(md, markdown(base), StandardCharsets.UTF_8);
    Files.writeString(options.out.resolve(base + ".csv"), csv(), StandardCharsets.UTF_8);
    List<Row> rows = queries.stream().map(this::row).toList();
    RatioChart.write(options.out.resolve(base + ".png"), rows,
        "TPC-DS sf" + TpcdsBenchmark.fmt(options.scale) + ", " + options.master, summary());
    return md;
  }

  private String markdown(String base) {
    Summary s = summary();
    StringBuilder m = new StringBuilder();
    m.append("# TPC-DS sf").append(TpcdsBenchmark.fmt(options.scale))
        .append(": Spark built-in shuffle vs Dovetail\n\n");
    m.append("| | |\n|---|---|\n");
    machine().forEach((k, v) -> m.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    m.append("\n## Summary\n\n").append(summaryTable(s)).append('\n');
    m.append("\n## Mismatches\n\n");
    list(m, s.mismatches);
    m.append("\n## Failures\n\n");
    list(m, s.failures);
    m.append("\n## Per query\n\nTimes in milliseconds (median of ").append(options.runs)
        .append(options.runs == 1 ? " run" : " runs")
        .append("); ratio = Dovetail / built-in; rows as returned by the built-in shuffle.\n\n")
        .append("![ratios](").append(base).append(".png)\n\n");
    m.append("| query | built-in ms | Dovetail ms | ratio | rows | result |\n");
    m.append("|---|---:|---:|---:|---:|---|\n");
    for (String q : queries) {
      Row r = row(q);
      m.append("| ").append(q).append(" | ").append(ms(r.builtInMs)).append(" | ")
          .append(ms(r.dovetailMs)).append(" | ").append(ratio(r)).append(" | ").append(r.rows)
          .append(" | ").append(r.verdict).append(" |\n");
    }
    return m.toString();
  }

  /** The summary as a Markdown table (also pasted into benchmarks/README.md by hand). */
  String summaryTable(Summary s) {
    StringBuilder m = new StringBuilder("| measure | value |\n|---|---|\n");
    row(m, "queries run", s.queries + " (" + s.bothOk + " succeeded on both shuffles)");
    row(m, "built-in total", String.format(Locale.ROOT, "%.1f s", s.builtInMs / 1e3));
    row(m, "Dovetail total", String.format(Locale.ROOT, "%.1f s", s.dovetailMs / 1e3));
    row(m, "total ratio (Dovetail / built-in)", String.format(Locale.ROOT, "%.3f", s.totalRatio()));
    row(m, "geometric mean of per-query ratios", String.format(Locale.ROOT, "%.3f", s.geomean));
    row(m, "median per-query ratio", String.format(Locale.ROOT, "%.3f", s.medianRatio));
    if (s.fastest != null) {
      row(m, "lowest / highest ratio", String.format(Locale.ROOT, "%.3f (%s) / %.3f (%s)",
          s.fastest.ratio(), s.fastest.query, s.slowest.ratio(), s.slowest.query));
    }
    row(m, "mismatches", s.mismatches.isEmpty() ? "0"
        : s.mismatches.size() + ": " + String.join(", ", s.mismatches.stream().map(Row::query).toList()));
    row(m, "failures", s.failures.isEmpty() ? "0"
        : s.failures.size() + ": " + String.join(", ", s.failures.stream().map(Row::query).toList()));
    row(m, "target: total <= 1.05x, zero mismatches", s.targetMet() ? "met" : "NOT met");
    return m.toString();
  }

  private static void row(StringBuilder m, String k, String v) {
    m.append("| ").append(k).append(" | ").append(v).append(" |\n");
  }

  private static void list(StringBuilder m, List<Row> rows) {
    if (rows.isEmpty()) {
      m.append("None.\n");
    }
    for (Row r : rows) {
      m.append("* **").append(r.query).append("** ").append(r.verdict).append(": `")
          .append(r.detail.replace('`', '\'')).append("`\n");
    }
  }

  private String csv() {
    StringBuilder c = new StringBuilder("query,builtin_ms,dovetail_ms,ratio,rows,result,"
        + "builtin_runs_ms,dovetail_runs_ms,builtin_digest,dovetail_digest,detail\n");
    for (String q : queries) {
      Row r = row(q);
      c.append(String.join(",", q, Long.toString(r.builtInMs), Long.toString(r.dovetailMs),
          r.bothOk() ? String.format(Locale.ROOT, "%.4f", r.ratio()) : "", r.rows, r.verdict,
          r.builtInRuns, r.dovetailRuns, r.builtInDigest, r.dovetailDigest,
          '"' + r.detail.replace("\"", "\"\"") + '"')).append('\n');
    }
    return c.toString();
  }

  private Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("started", started);
    m.put("machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
        + memTotal() + " memory, " + System.getProperty("os.name") + " "
        + System.getProperty("os.version"));
    m.put("load average (1, 5, 15 min)", "at start " + loadAtStart + ", at end " + loadAverage()
        + " (other work on the machine shows here)");
    m.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("Spark", org.apache.spark.package$.MODULE$.SPARK_VERSION() + ", master "
        + options.master + ", driver heap " + options.heap + " each"
        + (options.conf.isEmpty() ? "" : ", " + options.conf));
    m.put("data", "TPC-DS sf" + TpcdsBenchmark.fmt(options.scale)
        + " from the io.trino.tpcds generator, Parquet, " + String.format(Locale.ROOT, "%.1f MB",
            dirBytes(data) / 1e6) + " in " + data.toAbsolutePath());
    m.put("queries", queries.size() + " of the 103 TPC-DS v1.4 texts of the spark-sql tests jar"
        + (queries.size() == 103 ? "" : ": " + String.join(" ", queries)));
    m.put("method", "one driver JVM per shuffle, one query at a time, order alternating per "
        + "query; warm-up " + options.warmup + " on both; " + options.runs
        + (options.runs == 1 ? " timed run" : " timed runs, median") + "; final ORDER BY "
        + "completed with every output column, doubles to 9 significant digits");
    return m;
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  private static String memTotal() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines.filter(l -> l.startsWith("MemTotal")).map(l -> String.format(Locale.ROOT,
          "%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
          .findFirst().orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static long dirBytes(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  static String ms(long ms) {
    return ms < 0 ? "-" : Long.toString(ms);
  }

  static String ratio(Row r) {
    return r.bothOk() ? String.format(Locale.ROOT, "%.3f", r.ratio()) : "-";
  }
}
