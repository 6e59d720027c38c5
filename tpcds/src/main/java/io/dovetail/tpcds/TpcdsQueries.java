package io.dovetail.tpcds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The 103 TPC-DS v1.4 query texts of Spark's own TPC-DS suites (resources {@code tpcds/q*.sql} of
 * the spark-sql tests jar): the 99 templates, of which q14, q23, q24 and q39 come as two
 * statements each (a and b), run as written.
 *
 * <p>Thread-safe: stateless.
 */
public final class TpcdsQueries {
  private static final List<String> ALL = names();

  private TpcdsQueries() {}

  /** All 103 names in template order: q1, q2, ..., q14a, q14b, ..., q99. */
  public static List<String> all() {
    return ALL;
  }

  /**
   * The names matching {@code filter}: comma-separated regular expressions each matched against
   * whole names ({@code q3,q14.*,q9[0-9]}); empty or {@code all} means every query.
   */
  public static List<String> select(String filter) {
    if (filter == null || filter.isBlank() || filter.trim().equalsIgnoreCase("all")) {
      return ALL;
    }
    List<Pattern> patterns = new ArrayList<>();
    for (String part : filter.split(",")) {
      if (!part.isBlank()) {
        patterns.add(Pattern.compile(part.trim(), Pattern.CASE_INSENSITIVE));
      }
    }
    List<String> selected = new ArrayList<>();
    for (String name : ALL) {
      if (patterns.stream().anyMatch(p -> p.matcher(name).matches())) {
        selected.add(name);
      }
    }
    if (selected.isEmpty()) {
      throw new IllegalArgumentException("no TPC-DS query matches " + filter);
    }
    return selected;
  }

  /** The text of query {@code name} as the tests jar has it. */
  public static String text(String name) {
    String resource = "tpcds/" + name + ".sql";
    try (InputStream in = TpcdsQueries.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no query text " + resource
            + " on the class path (the spark-sql tests jar holds them)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= 99; i++) {
      if (i == 14 || i == 23 || i == 24 || i == 39) {
        names.add("q" + i + "a");
        names.add("q" + i + "b");
      } else {
        names.add("q" + i);
      }
    }
    return List.copyOf(names);
  }
}
