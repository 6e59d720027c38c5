package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs every job of {@link Jobs} once through Spark's built-in sort shuffle and once through
 * Dovetail, and yields one test per job comparing the two results row for row.
 */
final class ShuffleEquivalence {
  static final String DOVETAIL = "org.apache.spark.shuffle.dovetail.DovetailShuffleManager";

  private ShuffleEquivalence() {}

  /** Results of every job in a session made by {@code session}, which is stopped afterwards. */
  static Map<String, Object> runAll(Supplier<SparkSession> session,
      Map<String, Function<SparkSession, List<String>>> jobs) {
    Map<String, Object> results = new LinkedHashMap<>();
    SparkSession s = session.get();
    try {
      jobs.forEach((name, job) -> {
        long start = System.nanoTime();
        try {
          results.put(name, job.apply(s));
        } catch (RuntimeException | AssertionError e) {
          results.put(name, e);
        }
        System.out.printf("%-45s %-9s %6d ms%n", name,
            s.conf().get("spark.shuffle.manager", "sort").contains("Dovetail") ? "dovetail" : "built-in",
            (System.nanoTime() - start) / 1_000_000);
      });
    } finally {
      s.stop();
    }
    return results;
  }

  static List<DynamicTest> compare(Map<String, Object> builtIn, Map<String, Object> dovetail) {
    List<DynamicTest> tests = new ArrayList<>();
    builtIn.forEach((name, expected) -> tests.add(DynamicTest.dynamicTest(name, () -> {
      if (expected instanceof Throwable t) {
        throw new AssertionError("the built-in shuffle run failed", t);
      }
      Object actual = dovetail.get(name);
      if (actual instanceof Throwable t) {
        throw new AssertionError("the Dovetail run failed", t);
      }
      @SuppressWarnings("unchecked")
      List<String> rows = (List<String>) actual;
      assertThat(rows).as(name).isNotEmpty().containsExactlyElementsOf((List<String>) expected);
    })));
    return tests;
  }
}
