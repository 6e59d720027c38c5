package io.dovetail.examples.terasort;

import io.dovetail.examples.Args;
import io.dovetail.examples.Reports;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs TeraGen, TeraSort and TeraValidate steps in one application and writes a report: per step
 * its wall time, records, and the shuffle bytes and records written and read by its tasks. The
 * demo and the benchmarks submit it once per shuffle implementation and compare the reports.
 *
 * <pre>
 * spark-submit --class io.dovetail.examples.terasort.TeraPipeline dovetail-examples.jar \
 *     --steps gen,sort,validate --records 1000000 --partitions 8 \
 *     --input file:///data/tera-in --output file:///data/tera-out --report /tmp/report.properties
 * </pre>
 *
 * Report keys: {@code steps}, {@code app.id}, {@code executors}, and per step
 * {@code <step>.wallMs}, {@code .records}, {@code .tasks}, {@code .failedTasks},
 * {@code .shuffleBytesWritten}, {@code .shuffleRecordsWritten}, {@code .shuffleBytesRead},
 * {@code .shuffleRecordsRead};
 * {@code validate.valid} and {@code validate.problems}. Progress lines go to standard output.
 * Exit status 3 when validation fails. Not thread-safe; one per application.
 */
public final class TeraPipeline {
  static final Duration METRICS_WAIT = Duration.ofSeconds(60);

  private final JavaSparkContext sc;
  private final StepMetrics metrics;
  private final PrintStream out;
  private final Properties report = new Properties();
  private final List<Integer> jobIds = new ArrayList<>();

  TeraPipeline(JavaSparkContext sc, PrintStream out) {
    this.sc = sc;
    this.out = out;
    this.metrics = new StepMetrics(out);
    sc.sc().addSparkListener(metrics);
  }

  /** The settings every example job wants unless the submitter chose otherwise. */
  public static SparkConf defaults(SparkConf conf) {
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    return conf;
  }

  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args, "steps", "records", "partitions", "seed", "input", "output",
        "report", "label");
    String label = a.get("label", "TeraSort");
    Properties report;
    try (JavaSparkContext sc = new JavaSparkContext(defaults(new SparkConf()
        .setAppName("Dovetail TeraSort pipeline (" + label + ")")))) {
      report = new TeraPipeline(sc, System.out).run(List.of(a.get("steps").split(",")),
          a.longValue("records", 0), a.intValue("partitions", 0), a.longValue("seed", 1),
          a.get("input"), a.get("output", ""));
    }
    if (!a.get("report", "").isEmpty()) {
      write(report, Path.of(a.get("report")));
    }
    if ("false".equals(report.getProperty("validate.valid"))) {
      System.exit(TeraValidate.EXIT_INVALID);
    }
  }

  /** Runs {@code steps} (gen, sort, validate) in order and returns the report. */
  Properties run(List<String> steps, long records, int partitions, long seed, String input,
      String output) throws Exception {
    report.setProperty("steps", String.join(",", steps));
    report.setProperty("app.id", sc.sc().applicationId());
    report.setProperty("executors", Integer.toString(sc.sc().getExecutorIds().size()));
    for (String step : steps) {
      metrics.step(step);
      jobIds.clear();
      StepMetrics.Totals before = metrics.snapshot();
      long start = System.nanoTime();
      long stepRecords;
      switch (step) {
        case "gen" -> {
          out.println("step: gen " + records + " records in " + partitions + " files");
          stepRecords = total(TeraGen.run(sc, records, partitions, seed, input, tracking()));
        }
        case "sort" -> {
          out.println("step: sort " + input + " -> " + output);
          stepRecords = total(TeraSort.run(sc, input, output, partitions, tracking()));
        }
        case "validate" -> {
          out.println("step: validate " + output + " against " + input);
          Validation.Result result = TeraValidate.run(sc, input, output, tracking());
          stepRecords = result.outputRecords();
          report.setProperty("validate.valid", Boolean.toString(result.ok()));
          report.setProperty("validate.problems", String.join("; ", result.problems()));
          report.setProperty("validate.checksum", Long.toHexString(result.outputChecksum()));
          out.println(describe(result));
        }
        default -> throw new IllegalArgumentException("unknown step '" + step
            + "'; steps are gen, sort, validate");
      }
      long wallMs = (System.nanoTime() - start) / 1_000_000;
      metrics.awaitJobs(jobIds, METRICS_WAIT);
      StepMetrics.Totals t = metrics.snapshot().minus(before);
      put(step, "wallMs", wallMs);
      put(step, "records", stepRecords);
      put(step, "tasks", t.tasks());
      put(step, "failedTasks", t.failedTasks());
      put(step, "shuffleBytesWritten", t.shuffleBytesWritten());
      put(step, "shuffleRecordsWritten", t.shuffleRecordsWritten());
      put(step, "shuffleBytesRead", t.shuffleBytesRead());
      put(step, "shuffleRecordsRead", t.shuffleRecordsRead());
      out.printf(Locale.ROOT, "step: %s done in %.1f s: %d records, shuffle %d bytes written, "
          + "%d bytes read%n", step, wallMs / 1000.0, stepRecords, t.shuffleBytesWritten(),
          t.shuffleBytesRead());
      out.flush();
    }
    return report;
  }

  /** One line on a validation verdict, with its problems. */
  static String describe(Validation.Result r) {
    if (r.ok()) {
      return "valid: " + r.outputRecords() + " records in " + r.outputPartitions()
          + " sorted partitions, checksum " + Long.toHexString(r.outputChecksum())
          + " matches the input";
    }
    return "INVALID: " + String.join("; ", r.problems());
  }

  private Collector tracking() {
    return new Collector() {
      @Override
      public <T> List<T> collect(JavaRDD<T> rdd) {
        JavaFutureAction<List<T>> action = rdd.collectAsync();
        try {
          List<T> rows = action.get();
          jobIds.addAll(action.jobIds());
          return rows;
        } catch (InterruptedException e) {
          action.cancel(true);
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re ? re
              : new IllegalStateException(e.getCause());
        }
      }
    };
  }

  private static long total(List<PartitionSummary> summaries) {
    return summaries.stream().mapToLong(PartitionSummary::records).sum();
  }

  private void put(String step, String key, long value) {
    report.setProperty(step + "." + key, Long.toString(value));
  }

  /** Writes {@code report} through a temporary file, so readers never see half of it. */
  static void write(Properties report, Path file) {
    Reports.write(report, file, "Dovetail TeraSort pipeline report");
  }
}
