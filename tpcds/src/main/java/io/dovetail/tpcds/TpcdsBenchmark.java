package io.dovetail.tpcds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TPC-DS benchmark: every selected query through Spark's built-in shuffle and through
 * Dovetail, timed and compared row for row; writes {@code tpcds-sf<scale>.md}, {@code .csv} and
 * {@code .png} to the output directory (see {@link Report}).
 *
 * <p>How the two shuffles are made comparable: each has its own driver JVM ({@link QueryWorker},
 * same heap, options, master and Spark settings), both up for the whole run, but only one ever
 * runs a query at a time. Both first run the same warm-up queries, untimed. Then, for each run and
 * query, both run it back to back, the one going first alternating from query to query (and from
 * run to run), so slow drift of the machine and cache effects of going second fall on both sides
 * equally. With several runs the per-query time is the median.
 *
 * <p>Not thread-safe; a command-line program. Run with {@code --help} for the options.
 */
public final class TpcdsBenchmark {
  private TpcdsBenchmark() {}

  /** The options; defaults are the documented ones. */
  static final class Options {
    double scale = 1;
    String queries = "all";
    String master = "local[2]";
    Path out = Path.of("tpcds-results");
    Path data = Path.of("tpcds-data");
    int runs = 1;
    String warmup = "q3,q7,q19,q42,q52,q55";
    String heap = "4g";
    Duration timeout = Duration.ofMinutes(30);
    Map<String, String> conf = new LinkedHashMap<>();

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println(usage());
          System.exit(0);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + a + "\n" + usage());
        }
        String v = args[++i];
        switch (a) {
          case "--scale" -> o.scale = Double.parseDouble(v);
          case "--queries" -> o.queries = v;
          case "--master" -> o.master = v;
          case "--out" -> o.out = Path.of(v);
          case "--data" -> o.data = Path.of(v);
          case "--runs" -> o.runs = Integer.parseInt(v);
          case "--warmup" -> o.warmup = v;
          case "--heap" -> o.heap = v;
          case "--timeout-minutes" -> o.timeout = Duration.ofMinutes(Long.parseLong(v));
          case "--conf" -> {
            int eq = v.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("--conf takes key=value, not " + v);
            }
            o.conf.put(v.substring(0, eq), v.substring(eq + 1));
          }
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
        }
      }
      if (o.runs < 1) {
        throw new IllegalArgumentException("--runs must be at least 1");
      }
      return o;
    }

    static String usage() {
      return String.join("\n",
          "options (all optional):",
          "  --scale F            TPC-DS scale factor, fractional allowed (default 1)",
          "  --queries LIST       comma-separated regexes over q1..q99, q14a..; 'all' (default)",
          "  --master URL         Spark master (default local[2]; spark://host:port for standalone)",
          "  --out DIR            report directory (default tpcds-results)",
          "  --data DIR           data directory; reused when complete (default tpcds-data)",
          "  --runs N             timed runs of every query per shuffle; median reported (default 1)",
          "  --warmup LIST        untimed queries each driver runs first, or 'none' (default "
              + "q3,q7,q19,q42,q52,q55)",
          "  --heap SIZE          heap of each driver JVM (default 4g)",
          "  --timeout-minutes M  a query running longer fails and its driver restarts (default 30)",
          "  --conf KEY=VALUE     Spark setting for both drivers (repeatable)");
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    List<String> queries = TpcdsQueries.select(o.queries);
    Files.createDirectories(o.out.resolve("logs"));
    Path data = generate(o);

    Report report = new Report(o, queries, data);
    Map<Sessions.Shuffle, Driver> drivers = new EnumMap<>(Sessions.Shuffle.class);
    try {
      for (Sessions.Shuffle s : Sessions.Shuffle.values()) {
        drivers.put(s, new Driver(s, o, data));
      }
      List<String> warmup = o.warmup.equalsIgnoreCase("none") ? List.of()
          : TpcdsQueries.select(o.warmup);
      for (Sessions.Shuffle s : Sessions.Shuffle.values()) {
        long t0 = System.nanoTime();
        for (String q : warmup) {
          drivers.get(s).run(q);
        }
        log("warm-up %s: %s in %.1f s", s.label(), warmup, (System.nanoTime() - t0) / 1e9);
      }
      int step = 0;
      int total = o.runs * queries.size();
      for (int run = 0; run < o.runs; run++) {
        for (int i = 0; i < queries.size(); i++) {
          String q = queries.get(i);
          boolean builtInFirst = (i + run) % 2 == 0;
          List<Sessions.Shuffle> order = builtInFirst
              ? List.of(Sessions.Shuffle.BUILT_IN, Sessions.Shuffle.DOVETAIL)
              : List.of(Sessions.Shuffle.DOVETAIL, Sessions.Shuffle.BUILT_IN);
          for (Sessions.Shuffle s : order) {
            report.add(s, run, drivers.get(s).run(q));
          }
          step++;
          log("[%3d/%d] run %d %s", step, total, run + 1, report.progressLine(q));
        }
      }
    } finally {
      for (Driver d : drivers.values()) {
        d.close();
      }
    }
    report.write();
    log("%s", report.summaryText());
    log("report: %s", o.out.toAbsolutePath());
  }

  private static Path generate(Options o) throws IOException, InterruptedException {
    if (DataGenerator.isComplete(o.data, o.scale)) {
      log("TPC-DS sf%s data already complete in %s", fmt(o.scale),
          DataGenerator.scaleDir(o.data, o.scale));
      return DataGenerator.scaleDir(o.data, o.scale);
    }
    log("generating TPC-DS sf%s into %s (progress per table)", fmt(o.scale), o.data);
    try (WorkerProcess gen = WorkerProcess.start("generator", o.heap,
        o.out.resolve("logs/generator.log"), DataGenerator.class,
        List.of(o.data.toString(), Double.toString(o.scale), o.master))) {
      gen.await("\u0001never", Duration.ofHours(12), line -> log("  %s", line));
      int code = gen.waitFor(Duration.ofMinutes(1));
      if (code != 0 || !DataGenerator.isComplete(o.data, o.scale)) {
        throw new IllegalStateException("data generation failed (exit " + code + "); see "
            + o.out.resolve("logs/generator.log"));
      }
    }
    return DataGenerator.scaleDir(o.data, o.scale);
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, format + "%n", args);
    System.out.flush();
  }

  static String fmt(double scale) {
    return java.math.BigDecimal.valueOf(scale).stripTrailingZeros().toPlainString();
  }

  /** One shuffle's driver JVM, restarted if it dies or a query times out. */
  private static final class Driver implements AutoCloseable {
    private final Sessions.Shuffle shuffle;
    private final Options options;
    private final Path data;
    private final Path log;
    private WorkerProcess process;
    private int starts;

    Driver(Sessions.Shuffle shuffle, Options options, Path data) throws Exception {
      this.shuffle = shuffle;
      this.options = options;
      this.data = data;
      this.log = options.out.resolve("logs/" + shuffle.label() + ".log");
      start();
    }

    private void start() throws Exception {
      starts++;
      List<String> args = new ArrayList<>(List.of(shuffle.label(), options.master,
          data.toString(), options.out.resolve("rows/" + shuffle.label()).toString()));
      options.conf.forEach((k, v) -> args.add(k + "=" + v));
      process = WorkerProcess.start(shuffle.label(), options.heap, log, QueryWorker.class, args);
      if (process.await(QueryWorker.READY, Duration.ofMinutes(5), this::stray) == null) {
        process.close();
        throw new IllegalStateException("the " + shuffle.label() + " driver did not start; see "
            + log);
      }
      log("%s driver up (start %d), log %s", shuffle.label(), starts, log);
    }

    QueryRunner.Outcome run(String query) throws Exception {
      if (!process.isAlive()) {
        start();
      }
      long t0 = System.nanoTime();
      process.send("RUN " + query);
      String line = process.await(QueryWorker.RESULT, options.timeout, this::stray);
      if (line == null) {
        long millis = (System.nanoTime() - t0) / 1_000_000;
        String why = process.isAlive() ? "timed out after " + options.timeout.toMinutes() + " min"
            : "the driver JVM exited";
        process.close();
        return new QueryRunner.Outcome(query, millis, null, null, why + " (see " + log + ")");
      }
      String[] f = line.split("\t", -1);
      long millis = Long.parseLong(f[2]);
      if (!f[5].isEmpty()) {
        return new QueryRunner.Outcome(query, millis, null, null, f[5]);
      }
      List<String> lines = Files.readAllLines(
          options.out.resolve("rows/" + shuffle.label() + "/" + query + ".txt"));
      return new QueryRunner.Outcome(query, millis, lines, f[4], null);
    }

    private void stray(String line) {
      log("  [%s] %s", shuffle.label(), line);
    }

    /** Asks the driver to stop Spark and exit; kills it if it has not within two minutes. */
    @Override
    public void close() throws IOException {
      if (process != null && process.isAlive()) {
        process.send("QUIT");
        try {
          process.waitFor(Duration.ofMinutes(2));
        } catch (InterruptedException e) {
          process.close();
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
