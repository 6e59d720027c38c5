package io.dovetail.tpcds;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * A query result reduced to comparable text: one line per row, cells separated by {@code |}.
 *
 * <p>Doubles and floats are rounded to {@value #DOUBLE_DIGITS} significant digits: {@code
 * stddev_samp} (q17, q39a/b) merges partial aggregates in floating point, and the last bits of the
 * result depend on the order the partials arrive in, which a shuffle is free to change. Decimals
 * are exact and printed in full. A result without a final ORDER BY is sorted, so it compares as a
 * multiset of rows.
 *
 * <p>Thread-safe: stateless.
 */
public final class ResultRows {
  static final int DOUBLE_DIGITS = 9;
  private static final MathContext ROUNDING = new MathContext(DOUBLE_DIGITS, RoundingMode.HALF_EVEN);
  private static final int SHOWN = 5;

  private ResultRows() {}

  /** The rows as lines, in their order if {@code ordered}, sorted otherwise. */
  static List<String> lines(List<Row> rows, boolean ordered) {
    List<String> lines = new ArrayList<>(rows.size());
    for (Row row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length(); i++) {
        if (i > 0) {
          line.append('|');
        }
        line.append(cell(row.get(i)));
      }
      lines.add(line.toString());
    }
    if (!ordered) {
      lines.sort(null);
    }
    return lines;
  }

  static String cell(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return Double.toString(d);
      }
      return new BigDecimal(d).round(ROUNDING).stripTrailingZeros().toString();
    }
    if (value instanceof BigDecimal b) {
      return b.toPlainString();
    }
    return value.toString();
  }

  /** First 16 hex digits of the SHA-256 of the lines. */
  public static String digest(List<String> lines) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        sha.update(line.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Null when equal; otherwise what differs, with the first few differing rows of each side. */
  public static String difference(List<String> expected, List<String> actual) {
    if (expected.equals(actual)) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    out.append(expected.size()).append(" rows built-in, ").append(actual.size())
        .append(" rows Dovetail");
    int shown = 0;
    for (int i = 0; i < Math.max(expected.size(), actual.size()) && shown < SHOWN; i++) {
      String e = i < expected.size() ? expected.get(i) : "(none)";
      String a = i < actual.size() ? actual.get(i) : "(none)";
      if (!e.equals(a)) {
        out.append("; row ").append(i + 1).append(": built-in [").append(e)
            .append("] Dovetail [").append(a).append(']');
        shown++;
      }
    }
    return out.toString();
  }
}
