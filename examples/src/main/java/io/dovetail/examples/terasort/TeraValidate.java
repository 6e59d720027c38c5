package io.dovetail.examples.terasort;

import io.dovetail.examples.Args;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Checks that a TeraSort output is a correct sort of its input (see {@link Validation}). Both
 * data sets are read back from storage, one task per file, so the verdict does not rely on
 * anything the generating or sorting job reported. Stateless and thread-safe.
 *
 * <pre>
 * spark-submit --class io.dovetail.examples.terasort.TeraValidate dovetail-examples.jar \
 *     --input file:///data/tera-in --output file:///data/tera-out
 * </pre>
 *
 * The main exits with status 3 when validation fails, listing the problems.
 */
public final class TeraValidate {
  static final int EXIT_INVALID = 3;

  private TeraValidate() {}

  public static Validation.Result run(JavaSparkContext sc, String inputDir, String outputDir,
      Collector collector) {
    List<PartitionSummary> input = summaries(sc, inputDir, collector);
    List<PartitionSummary> output = summaries(sc, outputDir, collector);
    return Validation.check(input, output, RecordFiles.readMarker(outputDir));
  }

  /** The summary of every part file of {@code dir}, in partition order. */
  public static List<PartitionSummary> summaries(JavaSparkContext sc, String dir,
      Collector collector) {
    List<String> files = RecordFiles.list(dir);
    if (files.isEmpty()) {
      return List.of();
    }
    return collector.collect(sc.parallelize(files, files.size()).map(RecordFiles::summarize));
  }

  public static void main(String[] args) {
    Args a = Args.parse(args, "input", "output");
    Validation.Result result;
    try (JavaSparkContext sc = new JavaSparkContext(TeraPipeline.defaults(new SparkConf()
        .setAppName("TeraValidate")))) {
      result = run(sc, a.get("input"), a.get("output"), Collector.DIRECT);
    }
    System.out.println(TeraPipeline.describe(result));
    if (!result.ok()) {
      System.exit(EXIT_INVALID);
    }
  }
}
