package io.dovetail.tpcds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * TPC-DS queries give the same rows through Dovetail (embedded cluster, local[2]) as through
 * Spark's built-in shuffle, on a tiny data set.
 *
 * <p>At scale factor {@value #SCALE} nearly every join would be a broadcast join and never touch
 * the shuffle, so broadcasting is off: every join is a sort-merge join over two shuffles. AQE stays
 * on (partition coalescing, skew handling, join re-planning), with 16 shuffle partitions. The data
 * set is generated once into {@code target/tpcds-data} and reused by later runs.
 *
 * <p>Which queries run is {@code -Ddovetail.tpcds.queries}: comma-separated regexes, or
 * {@code all}. The build's default is a subset covering every shuffle shape of the set (see this
 * module's pom); {@code all} runs the 103.
 */
class TpcdsEquivalenceIT {
  static final double SCALE = 0.01;

  static final Map<String, String> CONF = Map.of(
      "spark.sql.shuffle.partitions", "16",
      "spark.sql.autoBroadcastJoinThreshold", "-1",
      "spark.dovetail.writer.batchSize", "16k");

  @Test
  void everyQueryGivesTheSameRowsThroughDovetail() {
    Path data = Path.of(System.getProperty("dovetail.tpcds.data", "target/tpcds-data"));
    List<String> queries = TpcdsQueries.select(System.getProperty("dovetail.tpcds.queries", "all"));
    Path dir = generate(data);

    Map<String, QueryRunner.Outcome> builtIn = runAll(Sessions.Shuffle.BUILT_IN, dir, queries);
    Map<String, QueryRunner.Outcome> dovetail = runAll(Sessions.Shuffle.DOVETAIL, dir, queries);

    List<String> problems = new ArrayList<>();
    int nonEmpty = 0;
    for (String q : queries) {
      QueryRunner.Outcome b = builtIn.get(q);
      QueryRunner.Outcome d = dovetail.get(q);
      if (!b.ok()) {
        problems.add(q + " failed on the built-in shuffle: " + b.error());
      } else if (!d.ok()) {
        problems.add(q + " failed on Dovetail: " + d.error());
      } else {
        String diff = ResultRows.difference(b.lines(), d.lines());
        if (diff != null) {
          problems.add(q + " MISMATCH: " + diff);
        }
        nonEmpty += b.rows() > 0 ? 1 : 0;
      }
    }
    System.out.printf(Locale.ROOT, "%d queries, %d with rows, %d problems%n", queries.size(),
        nonEmpty, problems.size());
    assertThat(problems)
        .as("queries whose Dovetail result differs from the built-in shuffle's, or that failed:%n  %s",
            String.join("\n  ", problems))
        .isEmpty();
  }

  private static Path generate(Path data) {
    if (DataGenerator.isComplete(data, SCALE)) {
      return DataGenerator.scaleDir(data, SCALE);
    }
    SparkSession spark = Sessions.create(Sessions.Shuffle.BUILT_IN, "local[2]", Map.of());
    try {
      return DataGenerator.generate(spark, data, SCALE, Chunks.DEFAULT_ROWS_PER_CHUNK,
          System.out::println);
    } finally {
      stop(spark);
    }
  }

  private static Map<String, QueryRunner.Outcome> runAll(Sessions.Shuffle shuffle, Path dir,
      List<String> queries) {
    SparkSession spark = Sessions.create(shuffle, "local[2]", CONF);
    Map<String, QueryRunner.Outcome> outcomes = new LinkedHashMap<>();
    long start = System.nanoTime();
    try {
      spark.sparkContext().setLogLevel("WARN");
      DataGenerator.registerViews(spark, dir);
      for (String q : queries) {
        QueryRunner.Outcome o = QueryRunner.run(spark, q);
        outcomes.put(q, o);
        System.out.printf(Locale.ROOT, "%-9s %-5s %6d ms %5d rows %s%n", shuffle.label(), q,
            o.millis(), o.rows(), o.ok() ? o.digest() : o.error());
      }
    } finally {
      stop(spark);
    }
    System.out.printf(Locale.ROOT, "%s: %d queries in %.1f s%n", shuffle.label(), queries.size(),
        (System.nanoTime() - start) / 1e9);
    return outcomes;
  }

  private static void stop(SparkSession spark) {
    spark.stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }
}
