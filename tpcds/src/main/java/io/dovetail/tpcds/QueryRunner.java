package io.dovetail.tpcds;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs one TPC-DS query in a session whose views are registered, and reduces its result to lines
 * (see {@link ResultRows}).
 *
 * <p>The time is wall-clock from submitting the rewritten text ({@link ResultOrder}) until every
 * row is collected to the driver: parsing, planning and execution. The output column count the
 * rewrite needs comes from analysing the original text first, outside the timed part.
 *
 * <p>Thread-safe if the session is; one query at a time is what the benchmark does.
 */
public final class QueryRunner {
  private QueryRunner() {}

  /** The result of one run; {@code error} is null on success, {@code lines} null on failure. */
  public record Outcome(String query, long millis, List<String> lines, String digest, String error) {
    public boolean ok() {
      return error == null;
    }

    public int rows() {
      return lines == null ? -1 : lines.size();
    }
  }

  /** Runs {@code query}; a failure becomes an outcome with its error, never an exception. */
  public static Outcome run(SparkSession spark, String query) {
    long start = System.nanoTime();
    try {
      String text = TpcdsQueries.text(query);
      int columns = spark.sql(text).schema().size();
      ResultOrder.Query q = ResultOrder.complete(text, columns);
      spark.sparkContext().setJobDescription("TPC-DS " + query);
      start = System.nanoTime();
      List<Row> rows = spark.sql(q.sql()).collectAsList();
      long millis = (System.nanoTime() - start) / 1_000_000;
      List<String> lines = ResultRows.lines(rows, q.ordered());
      return new Outcome(query, millis, lines, ResultRows.digest(lines), null);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError v && !(e instanceof OutOfMemoryError)) {
        throw v;
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      return new Outcome(query, millis, null, null, oneLine(e));
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** The exception and its causes' messages on one line. */
  static String oneLine(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null && out.length() < 600; t = t.getCause()) {
      if (out.length() > 0) {
        out.append(" <- ");
      }
      String message = t.getMessage() == null ? "" : t.getMessage().strip();
      int newline = message.indexOf('\n');
      out.append(t.getClass().getSimpleName()).append(": ")
          .append(newline < 0 ? message : message.substring(0, newline));
      if (t.getCause() == t) {
        break;
      }
    }
    return out.length() > 600 ? out.substring(0, 600) + "..." : out.toString();
  }
}
