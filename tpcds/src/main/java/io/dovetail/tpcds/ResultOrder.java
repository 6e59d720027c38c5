package io.dovetail.tpcds;

import java.util.Locale;

/**
 * Makes the order of a query's result a function of its rows alone, so that two shuffles give the
 * same answer row for row.
 *
 * <p>Most TPC-DS queries end in {@code ORDER BY keys LIMIT 100} where the keys are not a total
 * order: rows tied on the keys come out in the order their blocks reach the top-K operator, which
 * is exactly what a different shuffle changes, and across the 100th row a tie even changes which
 * rows are returned. Appending every output column by position ({@code ORDER BY keys, 1, 2, ..., k})
 * keeps the result a valid answer to the query and makes it deterministic. It is appended to every
 * final ORDER BY; where the keys already were a total order, it changes nothing.
 *
 * <p>The final ORDER BY is found by a scan of the text, not a full parse: outside string literals,
 * quoted identifiers and comments, it is the last {@code ORDER BY} at parenthesis depth 0 (ORDER
 * BYs of windows, subqueries and WITH clauses are all inside parentheses). The positions go right
 * before the {@code LIMIT} at depth 0 that follows it, or after the last character of code (a
 * trailing comment must not swallow them). Queries without a final ORDER BY are left as they are
 * and compared as unordered sets of rows.
 *
 * <p>Thread-safe: stateless.
 */
final class ResultOrder {
  private ResultOrder() {}

  /** A query text and whether its result order is part of its answer. */
  record Query(String sql, boolean ordered) {}

  /** {@code sql} with every one of its {@code columns} output columns appended to its final ORDER BY. */
  static Query complete(String sql, int columns) {
    Scan scan = scan(sql);
    if (scan.orderBy < 0) {
      return new Query(sql, false);
    }
    StringBuilder positions = new StringBuilder();
    for (int i = 1; i <= columns; i++) {
      positions.append(", ").append(i);
    }
    int at = scan.limitAfterOrderBy >= 0 ? scan.limitAfterOrderBy : scan.codeEnd;
    String before = sql.substring(0, at).stripTrailing();
    String rewritten = before + positions + (scan.limitAfterOrderBy >= 0 ? "\n" : "")
        + sql.substring(at);
    return new Query(rewritten, true);
  }

  /** Offset of the final ORDER BY at depth 0, or -1. */
  static int finalOrderBy(String sql) {
    return scan(sql).orderBy;
  }

  private static final class Scan {
    int orderBy = -1;
    int limitAfterOrderBy = -1;
    int codeEnd;
  }

  private static Scan scan(String sql) {
    Scan scan = new Scan();
    int depth = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '\'' || c == '"' || c == '`') {
        i = skipQuoted(sql, i, c);
        scan.codeEnd = i;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
          i++;
        }
        scan.codeEnd = i;
        if (depth == 0) {
          String word = sql.substring(start, i).toLowerCase(Locale.ROOT);
          if (word.equals("order") && nextWordIs(sql, i, "by")) {
            scan.orderBy = start;
            scan.limitAfterOrderBy = -1;
          } else if (word.equals("limit") && scan.orderBy >= 0 && scan.limitAfterOrderBy < 0) {
            scan.limitAfterOrderBy = start;
          }
        }
      } else {
        if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
        i++;
        if (c != ';') {
          scan.codeEnd = i;
        }
      }
    }
    return scan;
  }

  private static int skipQuoted(String sql, int i, char quote) {
    int j = i + 1;
    while (j < sql.length()) {
      char c = sql.charAt(j);
      if (c == '\\' && quote != '`') {
        j += 2;
      } else if (c == quote) {
        if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    return j;
  }

  private static boolean nextWordIs(String sql, int from, String word) {
    int i = from;
    while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
      i++;
    }
    int end = i + word.length();
    return end <= sql.length() && sql.substring(i, end).equalsIgnoreCase(word)
        && (end == sql.length() || !Character.isLetterOrDigit(sql.charAt(end)));
  }
}
