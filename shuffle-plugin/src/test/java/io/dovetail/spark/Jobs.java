package io.dovetail.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * The jobs run through both Spark's sort shuffle and Dovetail; each returns its result rows as
 * strings (sorted, unless the job's order is part of its result).
 */
final class Jobs {
  private Jobs() {}

  /**
   * Every job by name (SQL jobs with AQE off and on), or those whose name contains the system
   * property {@code dovetail.jobs}, when set.
   */
  static Map<String, Function<SparkSession, List<String>>> all() {
    Map<String, Function<SparkSession, List<String>>> jobs = catalog();
    String only = System.getProperty("dovetail.jobs", "");
    if (!only.isEmpty()) {
      jobs.keySet().removeIf(name -> !name.contains(only));
    }
    return jobs;
  }

  private static Map<String, Function<SparkSession, List<String>>> catalog() {
    Map<String, Function<SparkSession, List<String>>> jobs = new LinkedHashMap<>();
    jobs.put("rdd groupByKey", Jobs::groupByKey);
    jobs.put("rdd reduceByKey", Jobs::reduceByKey);
    jobs.put("rdd aggregateByKey", Jobs::aggregateByKey);
    jobs.put("rdd sortByKey (order kept)", Jobs::sortByKey);
    jobs.put("rdd join", Jobs::join);
    jobs.put("rdd cogroup", Jobs::cogroup);
    jobs.put("rdd repartition", Jobs::repartition);
    jobs.put("rdd distinct", Jobs::distinct);
    jobs.put("rdd empty input", Jobs::emptyRdd);
    jobs.put("rdd mostly empty partitions", Jobs::emptyPartitions);
    jobs.put("rdd record larger than a push batch", Jobs::hugeRecord);
    jobs.put("rdd 10000 reduce partitions", Jobs::tenThousandPartitions);
    for (boolean aqe : new boolean[] {false, true}) {
      String suffix = aqe ? " (AQE on)" : " (AQE off)";
      jobs.put("sql sort-merge join" + suffix, s -> sql(s, aqe, Jobs::sortMergeJoin));
      jobs.put("sql shuffle-hash join" + suffix, s -> sql(s, aqe, Jobs::shuffleHashJoin));
      jobs.put("sql aggregation" + suffix, s -> sql(s, aqe, Jobs::aggregation));
      jobs.put("sql window" + suffix, s -> sql(s, aqe, Jobs::window));
      jobs.put("sql order by (order kept)" + suffix, s -> sql(s, aqe, Jobs::orderBy));
    }
    jobs.put("sql aggregation into 1000 partitions (sorted writer)", Jobs::manyPartitionsSql);
    jobs.put("sql coalesced partitions (AQE on)", Jobs::coalesced);
    jobs.put("sql skewed join split (AQE on)", Jobs::skewedJoin);
    return jobs;
  }

  private static JavaSparkContext jsc(SparkSession s) {
    return JavaSparkContext.fromSparkContext(s.sparkContext());
  }

  private static JavaPairRDD<Integer, Integer> pairs(SparkSession s, int n, int keys, int slices) {
    List<Integer> data = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      data.add(i);
    }
    return jsc(s).parallelize(data, slices).mapToPair(i -> new Tuple2<>(i % keys, i));
  }

  private static <T> List<String> sorted(List<T> rows) {
    List<String> out = new ArrayList<>(rows.size());
    for (T r : rows) {
      out.add(String.valueOf(r));
    }
    Collections.sort(out);
    return out;
  }

  static List<String> groupByKey(SparkSession s) {
    return sorted(pairs(s, 20_000, 97, 4).groupByKey(13).mapValues(vs -> {
      List<Integer> l = new ArrayList<>();
      vs.forEach(l::add);
      Collections.sort(l);
      return l.size() + ":" + l.get(0) + ":" + l.get(l.size() - 1);
    }).collect());
  }

  static List<String> reduceByKey(SparkSession s) {
    return sorted(pairs(s, 50_000, 1000, 4).reduceByKey(Integer::sum, 7).collect());
  }

  static List<String> aggregateByKey(SparkSession s) {
    return sorted(pairs(s, 30_000, 311, 3)
        .aggregateByKey(new long[2], 5, (acc, v) -> new long[] {acc[0] + v, acc[1] + 1},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]})
        .mapValues(a -> a[0] + "/" + a[1]).collect());
  }

  static List<String> sortByKey(SparkSession s) {
    List<Integer> data = new ArrayList<>();
    Random rnd = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      data.add(rnd.nextInt(1_000_000));
    }
    List<String> out = new ArrayList<>();
    for (Tuple2<Integer, Integer> t : jsc(s).parallelize(data, 4)
        .mapToPair(i -> new Tuple2<>(i, i % 7)).sortByKey(true, 6).collect()) {
      out.add(t.toString());
    }
    return out;
  }

  static List<String> join(SparkSession s) {
    JavaPairRDD<Integer, Integer> a = pairs(s, 10_000, 500, 3);
    JavaPairRDD<Integer, String> b = pairs(s, 2_000, 700, 2).mapValues(v -> "b" + v);
    return sorted(a.join(b, 9).collect());
  }

  static List<String> cogroup(SparkSession s) {
    JavaPairRDD<Integer, Integer> a = pairs(s, 3_000, 50, 3);
    JavaPairRDD<Integer, Integer> b = pairs(s, 1_000, 80, 2);
    return sorted(a.cogroup(b, 4).mapValues(t -> {
      List<Integer> x = new ArrayList<>();
      t._1().forEach(x::add);
      List<Integer> y = new ArrayList<>();
      t._2().forEach(y::add);
      Collections.sort(x);
      Collections.sort(y);
      return x + "|" + y;
    }).collect());
  }

  static List<String> repartition(SparkSession s) {
    JavaRDD<Integer> r = pairs(s, 25_000, 10, 3).values().repartition(11);
    List<String> out = sorted(r.collect());
    out.add("partitions=" + r.getNumPartitions());
    return out;
  }

  static List<String> distinct(SparkSession s) {
    return sorted(pairs(s, 40_000, 1234, 4).keys().distinct(6).collect());
  }

  static List<String> emptyRdd(SparkSession s) {
    JavaPairRDD<Integer, Integer> empty = jsc(s).<Integer>emptyRDD()
        .mapToPair(i -> new Tuple2<>(i, i));
    List<String> out = sorted(empty.groupByKey(5).collect());
    out.add("count=" + empty.reduceByKey(Integer::sum, 3).count());
    // No partition count and no spark.default.parallelism: a shuffle of 0 partitions.
    out.add("count0=" + empty.reduceByKey(Integer::sum).count());
    return out;
  }

  static List<String> emptyPartitions(SparkSession s) {
    // 3 keys over 50 partitions: 47 partitions receive nothing.
    return sorted(pairs(s, 6_000, 3, 4).reduceByKey(Integer::sum, 50).collect());
  }

  static List<String> hugeRecord(SparkSession s) {
    JavaPairRDD<Integer, byte[]> big = jsc(s).parallelize(Arrays.asList(0, 1, 2), 3)
        .mapToPair(i -> {
          byte[] b = new byte[i == 1 ? 20 << 20 : 1000];
          new Random(i).nextBytes(b);
          return new Tuple2<>(i % 2, b);
        });
    return sorted(big.groupByKey(2).mapValues(vs -> {
      long sum = 0;
      int n = 0;
      for (byte[] b : vs) {
        n++;
        sum += Arrays.hashCode(b) + b.length;
      }
      return n + ":" + sum;
    }).collect());
  }

  static List<String> tenThousandPartitions(SparkSession s) {
    JavaPairRDD<Integer, Integer> r = pairs(s, 30_000, 15_000, 2).reduceByKey(Integer::sum, 10_000);
    // One pass: per partition (non-empty?, records, key sum, value sum).
    long[] agg = r.mapPartitions(it -> {
      long[] a = new long[4];
      while (it.hasNext()) {
        Tuple2<Integer, Integer> t = it.next();
        a[0] = 1;
        a[1]++;
        a[2] += t._1();
        a[3] += t._2();
      }
      return Collections.singletonList(a).iterator();
    }).reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
    return List.of("partitions=" + r.getNumPartitions(), "nonEmptyPartitions=" + agg[0],
        "count=" + agg[1] + " keys=" + agg[2] + " values=" + agg[3]);
  }

  // ---- SQL ----

  private static List<String> sql(SparkSession s, boolean aqe,
      Function<SparkSession, Dataset<Row>> query) {
    s.conf().set("spark.sql.adaptive.enabled", Boolean.toString(aqe));
    s.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    s.conf().set("spark.sql.shuffle.partitions", "23");
    try {
      return rows(query.apply(s), false);
    } finally {
      s.conf().unset("spark.sql.adaptive.enabled");
      s.conf().unset("spark.sql.autoBroadcastJoinThreshold");
      s.conf().unset("spark.sql.shuffle.partitions");
    }
  }

  private static List<String> rows(Dataset<Row> df, boolean ordered) {
    List<String> out = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      out.add(r.toString());
    }
    if (!ordered) {
      Collections.sort(out);
    }
    return out;
  }

  static Dataset<Row> facts(SparkSession s) {
    return s.range(0, 200_000, 1, 4).selectExpr("id % 1000 AS k", "id AS v",
        "CAST(id % 7 AS STRING) AS tag");
  }

  static Dataset<Row> dims(SparkSession s) {
    return s.range(0, 5_000, 1, 2).selectExpr("id % 700 AS k", "id * 3 AS w");
  }

  static Dataset<Row> sortMergeJoin(SparkSession s) {
    return facts(s).join(dims(s), "k").groupBy("k").agg(
        org.apache.spark.sql.functions.count("*").as("n"),
        org.apache.spark.sql.functions.sum("w").as("sw"));
  }

  static Dataset<Row> shuffleHashJoin(SparkSession s) {
    s.conf().set("spark.sql.join.preferSortMergeJoin", "false");
    try {
      Dataset<Row> joined = facts(s).join(dims(s).hint("SHUFFLE_HASH"), "k")
          .groupBy("tag").agg(org.apache.spark.sql.functions.count("*").as("n"),
              org.apache.spark.sql.functions.max("w").as("mw"));
      if (!joined.queryExecution().executedPlan().toString().contains("ShuffledHashJoin")
          && !Boolean.parseBoolean(s.conf().get("spark.sql.adaptive.enabled"))) {
        throw new AssertionError("expected a shuffled hash join:\n"
            + joined.queryExecution().executedPlan());
      }
      return joined;
    } finally {
      s.conf().unset("spark.sql.join.preferSortMergeJoin");
    }
  }

  static Dataset<Row> aggregation(SparkSession s) {
    return facts(s).groupBy("tag").agg(
        org.apache.spark.sql.functions.sum("v").as("s"),
        org.apache.spark.sql.functions.countDistinct("k").as("dk"),
        org.apache.spark.sql.functions.avg("v").as("a"));
  }

  static Dataset<Row> window(SparkSession s) {
    return facts(s).selectExpr("k", "v",
            "row_number() OVER (PARTITION BY k ORDER BY v DESC) AS rn",
            "sum(v) OVER (PARTITION BY k) AS total")
        .where("rn <= 2");
  }

  static Dataset<Row> orderBy(SparkSession s) {
    return facts(s).groupBy("k").agg(org.apache.spark.sql.functions.sum("v").as("s"))
        .orderBy(org.apache.spark.sql.functions.col("s").desc(),
            org.apache.spark.sql.functions.col("k"));
  }

  /** Over the writer's hash limit: UnsafeRows go through the serialized sort. */
  static List<String> manyPartitionsSql(SparkSession s) {
    s.conf().set("spark.sql.adaptive.enabled", "false");
    s.conf().set("spark.sql.shuffle.partitions", "1000");
    try {
      return rows(facts(s).groupBy("k").agg(org.apache.spark.sql.functions.sum("v").as("s"),
          org.apache.spark.sql.functions.max("tag").as("t")), false);
    } finally {
      s.conf().unset("spark.sql.adaptive.enabled");
      s.conf().unset("spark.sql.shuffle.partitions");
    }
  }

  static List<String> coalesced(SparkSession s) {
    s.conf().set("spark.sql.adaptive.enabled", "true");
    s.conf().set("spark.sql.shuffle.partitions", "200");
    s.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "true");
    try {
      Dataset<Row> df = facts(s).groupBy("tag").count();
      List<String> out = rows(df, false);
      String plan = df.queryExecution().executedPlan().toString();
      if (!plan.contains("coalesced")) {
        throw new AssertionError("AQE did not coalesce partitions:\n" + plan);
      }
      out.add("coalesced");
      return out;
    } finally {
      s.conf().unset("spark.sql.adaptive.enabled");
      s.conf().unset("spark.sql.shuffle.partitions");
      s.conf().unset("spark.sql.adaptive.coalescePartitions.enabled");
    }
  }

  static List<String> skewedJoin(SparkSession s) {
    String[][] settings = {
        {"spark.sql.adaptive.enabled", "true"},
        {"spark.sql.autoBroadcastJoinThreshold", "-1"},
        {"spark.sql.shuffle.partitions", "10"},
        {"spark.sql.adaptive.coalescePartitions.enabled", "false"},
        {"spark.sql.adaptive.skewJoin.enabled", "true"},
        {"spark.sql.adaptive.forceOptimizeSkewedJoin", "true"},
        {"spark.sql.adaptive.skewJoin.skewedPartitionFactor", "2"},
        {"spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", "20k"},
        {"spark.sql.adaptive.advisoryPartitionSizeInBytes", "20k"}};
    for (String[] kv : settings) {
      s.conf().set(kv[0], kv[1]);
    }
    try {
      // 90% of the rows share key 0: its partition is skewed.
      Dataset<Row> skewed = s.range(0, 100_000, 1, 4)
          .selectExpr("CASE WHEN id % 10 < 9 THEN 0 ELSE id % 1000 END AS k", "id AS v");
      Dataset<Row> df = skewed.join(dims(s), "k").selectExpr("k", "v % 97 AS b", "v", "w")
          .groupBy("b").agg(org.apache.spark.sql.functions.count("*").as("n"),
              org.apache.spark.sql.functions.sum("v").as("sv"),
              org.apache.spark.sql.functions.sum("w").as("sw"));
      List<String> out = rows(df, false);
      String plan = df.queryExecution().executedPlan().toString();
      if (!plan.contains("skewed")) {
        throw new AssertionError("AQE did not split the skewed partition:\n" + plan);
      }
      out.add("skew split");
      return out;
    } finally {
      for (String[] kv : settings) {
        s.conf().unset(kv[0]);
      }
    }
  }
}
