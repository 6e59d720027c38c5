package io.dovetail.examples.terasort;

import io.dovetail.examples.Args;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Sorts a TeraSort data set by key into {@code partitions} files whose concatenation is in order.
 *
 * <p>Like Spark's {@code sortByKey}, it range-partitions on split points from a key sample, but
 * the sample is cheap: {@link RecordFiles#sampleKeys} reads a few hundred keys per output
 * partition with positioned reads instead of scanning the input. Each input file is one map
 * task; the shuffle ({@code repartitionAndSortWithinPartitions}) delivers every reduce task its
 * key range sorted, and the reduce task writes it as one file. Stateless and thread-safe.
 *
 * <pre>
 * spark-submit --class io.dovetail.examples.terasort.TeraSort dovetail-examples.jar \
 *     --input file:///data/tera-in --output file:///data/tera-out [--partitions 16]
 * </pre>
 */
public final class TeraSort {
  /** Sampled keys per output partition. */
  static final int SAMPLES_PER_PARTITION = 200;
  static final int MIN_SAMPLES = 10_000;

  private TeraSort() {}

  /**
   * Sorts {@code inputDir} into {@code outputDir} (replacing it) and returns the summaries the
   * reduce tasks computed while writing. {@code partitions} 0 means one per input file.
   */
  public static List<PartitionSummary> run(JavaSparkContext sc, String inputDir,
      String outputDir, int partitions, Collector collector) {
    List<String> files = RecordFiles.list(inputDir);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no part files in " + inputDir);
    }
    int reducers = partitions > 0 ? partitions : files.size();
    byte[][] splits = splitPoints(sc, files, reducers, collector);
    JavaPairRDD<byte[], byte[]> records = sc.parallelize(files, files.size())
        .flatMapToPair(RecordFiles::read);
    JavaPairRDD<byte[], byte[]> sorted = records.repartitionAndSortWithinPartitions(
        new SplitPointPartitioner(splits), new KeyComparator());
    RecordFiles.delete(outputDir);
    JavaRDD<PartitionSummary> written = sorted.mapPartitionsWithIndex((p, it) ->
        List.of(RecordFiles.write(RecordFiles.partFile(outputDir, p), p, it)).iterator(), true);
    List<PartitionSummary> summaries = collector.collect(written);
    RecordFiles.writeMarker(outputDir, reducers);
    return summaries;
  }

  /** {@code reducers - 1} split points at the quantiles of a sample of the input's keys. */
  static byte[][] splitPoints(JavaSparkContext sc, List<String> files, int reducers,
      Collector collector) {
    int total = Math.max(MIN_SAMPLES, SAMPLES_PER_PARTITION * reducers);
    int perFile = (total + files.size() - 1) / files.size();
    List<List<byte[]>> perTask = collector.collect(sc.parallelize(files, files.size())
        .map(f -> RecordFiles.sampleKeys(f, perFile)));
    List<byte[]> sample = new ArrayList<>();
    perTask.forEach(sample::addAll);
    sample.sort(new KeyComparator());
    byte[][] splits = new byte[reducers - 1][];
    for (int i = 1; i < reducers; i++) {
      splits[i - 1] = sample.isEmpty()
          ? new byte[TeraRecords.KEY_SIZE]
          : sample.get((int) ((long) i * sample.size() / reducers));
    }
    return splits;
  }

  public static void main(String[] args) {
    Args a = Args.parse(args, "input", "output", "partitions");
    try (JavaSparkContext sc = new JavaSparkContext(TeraPipeline.defaults(new SparkConf()
        .setAppName("TeraSort")))) {
      List<PartitionSummary> out = run(sc, a.get("input"), a.get("output"),
          a.intValue("partitions", 0), Collector.DIRECT);
      System.out.println("TeraSort wrote " + out.stream().mapToLong(PartitionSummary::records)
          .sum() + " records in " + out.size() + " files to " + a.get("output"));
    }
  }
}
