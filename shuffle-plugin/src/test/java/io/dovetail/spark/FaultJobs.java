package io.dovetail.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Jobs with injected faults. Executors load this class to run its lambdas, so it refers to
 * nothing but Spark and the JDK.
 */
final class FaultJobs {
  static final int RECORDS = 40_000;
  static final int KEYS = 997;

  private FaultJobs() {}

  /** Sum of values per key, computed without Spark. */
  static List<String> expectedSums() {
    Map<Integer, Long> sums = new TreeMap<>();
    for (int i = 0; i < RECORDS; i++) {
      sums.merge(i % KEYS, (long) i, Long::sum);
    }
    List<String> out = new ArrayList<>();
    sums.forEach((k, v) -> out.add(new Tuple2<>(k, v).toString()));
    Collections.sort(out);
    return out;
  }

  static JavaPairRDD<Integer, Long> records(JavaSparkContext jsc) {
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      data.add(i);
    }
    return jsc.parallelize(data, 4).mapToPair(i -> new Tuple2<>(i % KEYS, (long) i));
  }

  static List<String> sorted(List<Tuple2<Integer, Long>> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(t -> out.add(t.toString()));
    Collections.sort(out);
    return out;
  }

  /** Sum per key through reduceByKey (map-side combine) into {@code partitions} partitions. */
  static List<String> sums(JavaSparkContext jsc, int partitions) {
    return sorted(records(jsc).reduceByKey(Long::sum, partitions).collect());
  }

  /** Map partition 1's first attempt emits 60% of its records (pushed as it goes), then dies. */
  static List<String> sumsWithAPartialPushThenFailure(JavaSparkContext jsc) {
    JavaPairRDD<Integer, Long> failing = records(jsc).mapPartitionsToPair(it -> {
      TaskContext ctx = TaskContext.get();
      List<Tuple2<Integer, Long>> out = new ArrayList<>();
      it.forEachRemaining(out::add);
      if (ctx.partitionId() == 1 && ctx.attemptNumber() == 0) {
        return failingAfter(out, out.size() * 6 / 10);
      }
      return out.iterator();
    }, true);
    return sorted(failing.reduceByKey(Long::sum, 5).collect());
  }

  /** Map partition 0's first attempt is a straggler that a speculative copy overtakes. */
  static List<String> sumsWithAStraggler(JavaSparkContext jsc) {
    JavaPairRDD<Integer, Long> slow = records(jsc).mapPartitionsToPair(it -> {
      TaskContext ctx = TaskContext.get();
      if (ctx.partitionId() == 0 && ctx.attemptNumber() == 0) {
        // Long enough for the copy to start on a slow machine; Spark interrupts this attempt once
        // the copy succeeds.
        Thread.sleep(120_000);
      }
      return it;
    }, true);
    return sorted(slow.reduceByKey(Long::sum, 5).collect());
  }

  /**
   * Sums per key where reduce tasks read only once {@code marker} exists (partitionBy reads
   * lazily, so the wait comes before any shuffle read).
   */
  static List<String> sumsReadAfter(JavaSparkContext jsc, String marker) {
    return sorted(sumsAfter(jsc, marker).collect());
  }

  /**
   * The sums per key, computed by reduce tasks that wait until {@code marker} exists before they
   * read their partition: the same shuffle each time the returned RDD is collected.
   */
  static JavaPairRDD<Integer, Long> sumsAfter(JavaSparkContext jsc, String marker) {
    return records(jsc).partitionBy(new HashPartitioner(8)).mapPartitionsToPair(it -> {
      // Bounded: a listener that failed to create the marker fails the job, not hangs it.
      long deadline = System.currentTimeMillis() + 180_000;
      while (!Files.exists(Path.of(marker))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("no " + marker + " after 180 s");
        }
        Thread.sleep(50);
      }
      Map<Integer, Long> sums = new TreeMap<>();
      it.forEachRemaining(t -> sums.merge(t._1(), t._2(), Long::sum));
      List<Tuple2<Integer, Long>> out = new ArrayList<>();
      sums.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
      return out.iterator();
    });
  }

  /**
   * A join of a fast map stage (4 tasks over {@link #records}) and a slow one (one task that runs
   * until {@code marker} exists, at most 90 s): while the slow task runs, executors that ran only
   * fast tasks sit idle. Returns the joined count per key.
   */
  static List<String> joinWithASlowSide(JavaSparkContext jsc, String marker) {
    JavaPairRDD<Integer, Long> slow = jsc.parallelize(List.of(0), 1).mapPartitionsToPair(it -> {
      long deadline = System.currentTimeMillis() + 90_000;
      while (!Files.exists(Path.of(marker)) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      List<Tuple2<Integer, Long>> keys = new ArrayList<>();
      for (int k = 0; k < KEYS; k++) {
        keys.add(new Tuple2<>(k, 1L));
      }
      return keys.iterator();
    });
    return sorted(records(jsc).join(slow, 6).mapValues(t -> t._1() * t._2())
        .reduceByKey(Long::sum, 3).collect());
  }

  /** Yields the first {@code n} elements of {@code out}, then throws. */
  static <T> Iterator<T> failingAfter(List<T> out, int n) {
    return new Iterator<T>() {
      int i;

      @Override
      public boolean hasNext() {
        if (i == n) {
          throw new IllegalStateException("injected failure after a partial push");
        }
        return i < out.size();
      }

      @Override
      public T next() {
        return out.get(i++);
      }
    };
  }
}
