package io.dovetail.benchmarks.report;

import io.dovetail.common.config.Sizes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import org.knowm.xchart.CategoryChart;

/**
 * The store-throughput benchmark's rounds, written as {@code store-throughput.md} (the conditions,
 * every round and the best of each side and direction, the ratios against their targets),
 * {@code store-throughput.csv} (one line per side and round) and {@code store-throughput.png}
 * (the best rounds' rates and CPU cost, side by side). Not thread-safe.
 */
public final class StoreThroughputReport {
  /** Base name of the report files. */
  public static final String NAME = "store-throughput";
  /** Issue 2's targets: Dovetail's best rate over raw loopback's. */
  public static final double PUSH_TARGET = 0.70;
  public static final double READ_TARGET = 0.80;

  private static final double GIB = 1L << 30;
  private static final double MIB = 1L << 20;

  /** What moves the bytes: the baseline or the storage server. */
  public enum Side {
    RAW("raw", "raw Netty loopback"),
    DOVETAIL("dovetail", "Dovetail");

    private final String key;
    private final String title;

    Side(String key, String title) {
      this.key = key;
      this.title = title;
    }

    /** As named in the CSV. */
    public String key() {
      return key;
    }

    /** As named in the Markdown, the chart and the printed lines. */
    public String title() {
      return title;
    }
  }

  /** Towards the server (push) or back from it (read). */
  public enum Direction {
    PUSH, READ;

    /** "push" or "read". */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One timed round.
   *
   * @param round 1-based; the warm-up round is not recorded
   * @param cpuNanos CPU time of the whole process during the round
   */
  public record Round(Side side, Direction direction, int round, long bytes, long wallNanos,
      long cpuNanos) {
    /** Bytes per second. */
    public double rate() {
      return bytes / (wallNanos / 1e9);
    }

    /** Process CPU seconds per GiB moved. */
    public double cpuPerGib() {
      return cpuNanos / 1e9 / (bytes / GIB);
    }

    /** As the benchmark prints it: "1.5 GiB/s (0.71 cpu-s/GiB)". */
    public String text() {
      return String.format(Locale.ROOT, "%s/s (%.2f cpu-s/GiB)", Sizes.humanBytes((long) rate()),
          cpuPerGib());
    }

    String cell() {
      return String.format(Locale.ROOT, "%s/s, %.2f cpu-s/GiB", Sizes.humanBytes((long) rate()),
          cpuPerGib());
    }
  }

  /**
   * What the run measured under.
   *
   * @param only the value of {@code -Ddovetail.bench.only}: "" for both sides, "raw" or "store"
   * @param rawTransport the baseline's Netty transport ("epoll" or "nio"), "" if it did not run
   * @param started when the run started, as written in the report
   */
  public record Conditions(long totalBytes, int batchBytes, int partitions, int frameBytes,
      int chunkBytes, long windowBytes, int warmups, int rounds, String only, String rawTransport,
      int cores, String javaVersion, String started, String loadAtStart, String loadAtEnd,
      List<String> overrides) {
    List<String> bullets() {
      List<String> b = new ArrayList<>();
      b.add("Started " + started + "; " + cores + " cores; Java " + javaVersion);
      b.add("Load average (1, 5, 15 minutes): " + loadAtStart + " at the start, " + loadAtEnd
          + " at the end");
      b.add(String.format(Locale.ROOT, "%s per round: pushed in %s batches over %d partitions,"
              + " gathered into %s frames; read in %s chunks; %s in flight",
          Sizes.humanBytes(totalBytes), Sizes.humanBytes(batchBytes), partitions,
          Sizes.humanBytes(frameBytes), Sizes.humanBytes(chunkBytes),
          Sizes.humanBytes(windowBytes)));
      b.add(rounds + " timed rounds per side and direction after " + warmups
          + " untimed full-size warm-up round" + (warmups == 1 ? "" : "s")
          + "; the best round counts");
      b.add(switch (only) {
        case "raw" -> "Raw Netty loopback only (-Ddovetail.bench.only=raw)";
        case "store" -> "Dovetail only (-Ddovetail.bench.only=store)";
        default -> "Both sides, raw Netty loopback first";
      });
      if (!rawTransport.isEmpty()) {
        b.add("Raw loopback transport: " + rawTransport);
      }
      if (!overrides.isEmpty()) {
        b.add("Dovetail settings given on the command line: " + String.join(", ", overrides));
      }
      return b;
    }
  }

  private final List<Round> rounds = new ArrayList<>();

  public void add(Round round) {
    rounds.add(round);
  }

  public List<Round> rounds() {
    return List.copyOf(rounds);
  }

  /** The fastest round of {@code side} in {@code direction}; the first of equals. */
  public Optional<Round> best(Side side, Direction direction) {
    Round best = null;
    for (Round r : rounds) {
      if (r.side() == side && r.direction() == direction
          && (best == null || r.rate() > best.rate())) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Dovetail's best rate over the baseline's, empty unless both ran. */
  public OptionalDouble ratio(Direction direction) {
    Optional<Round> raw = best(Side.RAW, direction);
    Optional<Round> store = best(Side.DOVETAIL, direction);
    return raw.isPresent() && store.isPresent()
        ? OptionalDouble.of(store.get().rate() / raw.get().rate()) : OptionalDouble.empty();
  }

  static double target(Direction direction) {
    return direction == Direction.PUSH ? PUSH_TARGET : READ_TARGET;
  }

  private int roundCount() {
    return rounds.stream().mapToInt(Round::round).max().orElse(0);
  }

  private Optional<Round> round(Side side, Direction direction, int n) {
    return rounds.stream()
        .filter(r -> r.side() == side && r.direction() == direction && r.round() == n)
        .findFirst();
  }

  private List<Side> sides() {
    return List.of(Side.values()).stream()
        .filter(s -> rounds.stream().anyMatch(r -> r.side() == s)).toList();
  }

  /** The report: conditions, a row per side and direction with every round, the ratios. */
  public String markdown(Conditions conditions) {
    StringBuilder sb = new StringBuilder("# Store throughput\n\n");
    for (String c : conditions.bullets()) {
      sb.append("* ").append(c).append('\n');
    }
    sb.append("\nRate and process CPU seconds per GiB moved, every round and the best:\n\n");
    List<String> header = new ArrayList<>(List.of("Side", "Direction"));
    for (int n = 1; n <= roundCount(); n++) {
      header.add(">Round " + n);
    }
    header.add(">Best");
    List<List<String>> rows = new ArrayList<>();
    for (Side side : sides()) {
      for (Direction d : Direction.values()) {
        List<String> row = new ArrayList<>(List.of(side.title(), d.key()));
        for (int n = 1; n <= roundCount(); n++) {
          row.add(round(side, d, n).map(Round::cell).orElse("-"));
        }
        row.add(best(side, d).map(r -> "**" + r.cell() + "**").orElse("-"));
        rows.add(row);
      }
    }
    sb.append(Reports.markdownTable(header, rows));
    sb.append('\n');
    if (ratio(Direction.PUSH).isEmpty() && ratio(Direction.READ).isEmpty()) {
      sb.append("No ratios: they need both sides in one run.\n");
      return sb.toString();
    }
    List<List<String>> ratios = new ArrayList<>();
    for (Direction d : Direction.values()) {
      OptionalDouble ratio = ratio(d);
      ratios.add(List.of(d.key(),
          ratio.isPresent() ? String.format(Locale.ROOT, "%.2f", ratio.getAsDouble()) : "-",
          String.format(Locale.ROOT, ">= %.2f", target(d)),
          ratio.isPresent() ? (ratio.getAsDouble() >= target(d) ? "yes" : "no") : "-"));
    }
    sb.append(Reports.markdownTable(
        List.of("Dovetail / raw loopback, best rounds", ">Ratio", ">Target", "Met"), ratios));
    return sb.toString();
  }

  /** Column names of {@link #csv()}. */
  static final List<String> CSV_HEADER = List.of("side", "round",
      "push_bytes", "push_wall_ns", "push_cpu_ns", "push_bytes_per_s", "push_cpu_s_per_gib",
      "push_best",
      "read_bytes", "read_wall_ns", "read_cpu_ns", "read_bytes_per_s", "read_cpu_s_per_gib",
      "read_best");

  /** One line per side and round, push and read side by side; empty fields if one is missing. */
  public String csv() {
    List<List<String>> rows = new ArrayList<>();
    for (Side side : sides()) {
      for (int n = 1; n <= roundCount(); n++) {
        List<String> row = new ArrayList<>(List.of(side.key(), Integer.toString(n)));
        for (Direction d : Direction.values()) {
          Optional<Round> r = round(side, d, n);
          if (r.isEmpty()) {
            row.addAll(List.of("", "", "", "", "", ""));
            continue;
          }
          Round x = r.get();
          row.add(Long.toString(x.bytes()));
          row.add(Long.toString(x.wallNanos()));
          row.add(Long.toString(x.cpuNanos()));
          row.add(Long.toString(Math.round(x.rate())));
          row.add(String.format(Locale.ROOT, "%.3f", x.cpuPerGib()));
          row.add(Boolean.toString(best(side, d).get() == x));
        }
        rows.add(row);
      }
    }
    return Reports.csv(CSV_HEADER, rows);
  }

  /** The chart: best rate (MiB/s) and its CPU cost per GiB, push and read, a bar per side. */
  public void chart(Conditions conditions, Path png) throws IOException {
    CategoryChart rate = Reports.barPanel("Best rate (higher is better)", "", "MiB/s");
    CategoryChart cpu = Reports.barPanel("CPU per GiB in that round (lower is better)", "",
        "process CPU s/GiB");
    rate.getStyler().setLabelsVisible(true).setDecimalPattern("#,##0");
    cpu.getStyler().setLabelsVisible(true).setDecimalPattern("0.00");
    List<String> directions = List.of(Direction.values()).stream().map(Direction::key).toList();
    // Dovetail first, in the blue of every Dovetail chart.
    for (Side side : List.of(Side.DOVETAIL, Side.RAW)) {
      if (!sides().contains(side)) {
        continue;
      }
      List<Double> rates = new ArrayList<>();
      List<Double> costs = new ArrayList<>();
      for (Direction d : Direction.values()) {
        Optional<Round> b = best(side, d);
        rates.add(b.map(r -> r.rate() / MIB).orElse(null));
        costs.add(b.map(Round::cpuPerGib).orElse(null));
      }
      rate.addSeries(side.title(), directions, rates);
      cpu.addSeries(side.title(), directions, costs);
    }
    Reports.png(png, title(conditions), List.of(rate, cpu));
  }

  private String title(Conditions conditions) {
    String title = "Store throughput, " + Sizes.humanBytes(conditions.totalBytes())
        + " per round, best of " + conditions.rounds();
    OptionalDouble push = ratio(Direction.PUSH);
    OptionalDouble read = ratio(Direction.READ);
    if (push.isPresent() && read.isPresent()) {
      title += String.format(Locale.ROOT, ": push %.2f (target %.2f), read %.2f (target %.2f)",
          push.getAsDouble(), PUSH_TARGET, read.getAsDouble(), READ_TARGET);
    }
    return title;
  }

  /** Writes the three files into {@code dir}, creating it, and returns their paths. */
  public List<Path> write(Path dir, Conditions conditions) throws IOException {
    Path md = dir.resolve(NAME + ".md");
    Path csv = dir.resolve(NAME + ".csv");
    Path png = dir.resolve(NAME + ".png");
    Reports.write(md, markdown(conditions));
    Reports.write(csv, csv());
    chart(conditions, png);
    return List.of(md, csv, png);
  }
}
