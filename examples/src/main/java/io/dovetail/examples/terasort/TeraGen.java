package io.dovetail.examples.terasort;

import io.dovetail.examples.Args;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Generates a TeraSort input: {@code records} records in {@code partitions} files, partition p
 * holding records [p * records / partitions, (p + 1) * records / partitions) of the data set of
 * {@code seed}. Each task writes its file directly; there is no shuffle. Stateless and
 * thread-safe.
 *
 * <pre>
 * spark-submit --class io.dovetail.examples.terasort.TeraGen dovetail-examples.jar \
 *     --records 10000000 --partitions 16 --output file:///data/tera-in [--seed 1]
 * </pre>
 */
public final class TeraGen {
  private TeraGen() {}

  /** Writes the data set to {@code outputDir} (replacing it) and returns its summaries. */
  public static List<PartitionSummary> run(JavaSparkContext sc, long records, int partitions,
      long seed, String outputDir, Collector collector) {
    if (records < 0 || partitions < 1) {
      throw new IllegalArgumentException("need records >= 0 and partitions >= 1");
    }
    RecordFiles.delete(outputDir);
    List<Integer> indexes = IntStream.range(0, partitions).boxed().collect(Collectors.toList());
    JavaRDD<PartitionSummary> written = sc.parallelize(indexes, partitions).map(p -> {
      long start = p * records / partitions;
      long end = (p + 1) * records / partitions;
      return RecordFiles.write(RecordFiles.partFile(outputDir, p), p,
          generator(seed, start, end));
    });
    List<PartitionSummary> summaries = collector.collect(written);
    RecordFiles.writeMarker(outputDir, partitions);
    return summaries;
  }

  /** Records [start, end) of the data set of {@code seed}, as fresh (key, value) arrays. */
  static Iterator<Tuple2<byte[], byte[]>> generator(long seed, long start, long end) {
    return new Iterator<>() {
      private long next = start;

      @Override
      public boolean hasNext() {
        return next < end;
      }

      @Override
      public Tuple2<byte[], byte[]> next() {
        if (next >= end) {
          throw new NoSuchElementException();
        }
        byte[] key = new byte[TeraRecords.KEY_SIZE];
        byte[] value = new byte[TeraRecords.VALUE_SIZE];
        TeraRecords.generate(seed, next++, key, value);
        return new Tuple2<>(key, value);
      }
    };
  }

  public static void main(String[] args) {
    Args a = Args.parse(args, "records", "partitions", "output", "seed");
    try (JavaSparkContext sc = new JavaSparkContext(TeraPipeline.defaults(new SparkConf()
        .setAppName("TeraGen")))) {
      List<PartitionSummary> out = run(sc, a.longValue("records"), a.intValue("partitions"),
          a.longValue("seed", 1), a.get("output"), Collector.DIRECT);
      System.out.println("TeraGen wrote " + out.stream().mapToLong(PartitionSummary::records).sum()
          + " records in " + out.size() + " files to " + a.get("output"));
    }
  }
}
