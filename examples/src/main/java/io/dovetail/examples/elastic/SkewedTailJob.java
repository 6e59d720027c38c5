package io.dovetail.examples.elastic;

import io.dovetail.examples.Args;
import io.dovetail.examples.Reports;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A job with a long skewed tail, for measuring what executors cost under dynamic allocation
 * and what losing one costs. Three stages:
 *
 * <ol>
 *   <li>a wide map stage ({@code --maps} tasks) generating the records, each with some work;
 *   <li>the skewed stage ({@code --reduces} tasks): one partition receives a share
 *       {@code --skew} of the records and keeps one executor busy long after the others have
 *       finished, its work proportional to its records ({@link SkewedWork});
 *   <li>a small final stage that reads the skewed stage's output and sums it per group.
 * </ol>
 *
 * <pre>
 * spark-submit --class io.dovetail.examples.elastic.SkewedTailJob dovetail-examples.jar \
 *     --records 4000000 --maps 16 --reduces 16 --skew 0.8 --map-rounds 2000 --rounds 5000 \
 *     --report /tmp/elastic.properties
 * </pre>
 *
 * <p>Report keys: {@code app.id}, {@code wallMs} (the job, from its submission to its result),
 * {@code executorMs} (executor-seconds in milliseconds: the sum over executors of removal, or the
 * end of the job, minus registration), {@code executors.added}, {@code .removed},
 * {@code .maxAlive}, {@code recomputedMapTasks}, {@code recomputedResultTasks},
 * {@code resubmittedStageAttempts}, {@code failedTasks}, {@code records}, {@code digest},
 * {@code tailAloneMs} (when only the skewed partition was left running, from the job's start; -1
 * if never), {@code tailExecutor}, {@code victim} (named when only the tail was left) and
 * {@code tailDoneVictim} (named when the skewed stage was done; "null" if none), the effective {@code conf.*} settings that
 * matter, and per stage {@code stage.ID} = "map|result numTasks taskAttempts stageAttempts", per
 * executor {@code executor.ID} = "addedMs removedMs" from the job's start (removed -1: alive at
 * the end). Progress lines go to standard output. Not thread-safe; one per application.
 */
public final class SkewedTailJob {
  static final String TAIL_RDD = "skewed-tail";
  static final int FINAL_PARTITIONS = 4;
  static final Duration METRICS_WAIT = Duration.ofSeconds(60);

  private SkewedTailJob() {}

  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args, "records", "maps", "reduces", "skew", "map-rounds", "rounds",
        "groups", "seed", "report", "label");
    SkewedWork work = new SkewedWork(a.longValue("records", 4_000_000), a.intValue("maps", 16),
        a.intValue("reduces", 16), a.doubleValue("skew", 0.8), a.intValue("map-rounds", 2000),
        a.intValue("rounds", 5000), a.intValue("groups", 256), a.longValue("seed", 1));
    String label = a.get("label", "skewed-tail");
    SparkConf conf = new SparkConf().setAppName("Dovetail skewed tail (" + label + ")");
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    Properties report;
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      report = run(sc, work, System.out);
    }
    report.setProperty("label", label);
    if (!a.get("report", "").isEmpty()) {
      Reports.write(report, Path.of(a.get("report")), "Dovetail skewed-tail job report");
    }
  }

  /** The job as one chain of RDDs; its action is a collect of (group, (records, sum)). */
  static JavaPairRDD<Integer, Tuple2<Long, Long>> job(JavaSparkContext sc, SkewedWork work) {
    List<Integer> maps = IntStream.range(0, work.maps()).boxed().toList();
    JavaPairRDD<Integer, Long> records = sc.parallelize(maps, work.maps())
        .flatMapToPair(work::generate);
    JavaPairRDD<Integer, Tuple2<Long, Long>> skewed = records
        .partitionBy(new HashPartitioner(work.reduces()))
        .mapPartitionsToPair(work::reduce)
        .setName(TAIL_RDD);
    return skewed.reduceByKey(SkewedWork::add, FINAL_PARTITIONS);
  }

  /** Runs the job and returns its report. */
  static Properties run(JavaSparkContext sc, SkewedWork work, PrintStream out) throws Exception {
    long origin = System.currentTimeMillis();
    ElasticListener listener = new ElasticListener(out, sc.sc().applicationId(), TAIL_RDD,
        SkewedWork.TAIL_PARTITION, origin);
    sc.sc().addSparkListener(listener);
    // Executors that registered while the context started (initialExecutors) were announced
    // before the listener existed: count them from its origin.
    listener.alreadyRegistered(CollectionConverters.asJava(sc.sc().getExecutorIds()));
    out.printf(Locale.ROOT, "step: skewed-tail job: %d records, %d map tasks, %d partitions with "
        + "%.0f%% of the records in one%n", work.records(), work.maps(), work.reduces(),
        work.skew() * 100);
    long start = System.currentTimeMillis();
    JavaFutureAction<List<Tuple2<Integer, Tuple2<Long, Long>>>> action =
        job(sc, work).collectAsync();
    List<Tuple2<Integer, Tuple2<Long, Long>>> rows = action.get();
    long end = System.currentTimeMillis();
    listener.awaitJobs(action.jobIds(), METRICS_WAIT);

    Properties p = new Properties();
    SparkConf conf = sc.getConf();
    p.setProperty("app.id", sc.sc().applicationId());
    p.setProperty("wallMs", Long.toString(end - start));
    p.setProperty("executorMs", Long.toString(listener.executorMillis(end)));
    List<ExecutorLifetimes.Lifetime> executors = listener.executors();
    p.setProperty("executors.added", Integer.toString(executors.size()));
    p.setProperty("executors.removed", Long.toString(executors.stream()
        .filter(l -> l.removed() >= 0 && l.removed() <= end).count()));
    p.setProperty("executors.maxAlive", Integer.toString(listener.maxAlive()));
    p.setProperty("recomputedMapTasks", Integer.toString(listener.recomputedMapTasks()));
    p.setProperty("recomputedResultTasks", Integer.toString(listener.recomputedResultTasks()));
    p.setProperty("resubmittedStageAttempts",
        Integer.toString(listener.resubmittedStageAttempts()));
    p.setProperty("failedTasks", Integer.toString(listener.failedTasks()));
    p.setProperty("records", Long.toString(SkewedWork.records(rows)));
    p.setProperty("expectedRecords", Long.toString(work.records()));
    p.setProperty("digest", SkewedWork.digest(rows));
    long tailAlone = listener.tailAloneAt();
    p.setProperty("tailAloneMs", Long.toString(tailAlone < 0 ? -1 : tailAlone - start));
    p.setProperty("tailExecutor", String.valueOf(listener.tailExecutor()));
    p.setProperty("victim", String.valueOf(listener.victim()));
    p.setProperty("tailDoneVictim", String.valueOf(listener.tailDoneVictim()));
    for (String key : List.of("spark.shuffle.manager", "spark.dynamicAllocation.enabled",
        "spark.dynamicAllocation.shuffleTracking.enabled", "spark.shuffle.service.enabled",
        "spark.dynamicAllocation.executorIdleTimeout", "spark.dynamicAllocation.maxExecutors")) {
      p.setProperty("conf." + key.substring("spark.".length()), conf.get(key, "(default)"));
    }
    for (TaskAttempts.StageCounts s : listener.stages()) {
      p.setProperty("stage." + s.stageId(), (s.shuffleMap() ? "map " : "result ")
          + s.numTasks() + " " + s.taskAttempts() + " " + s.stageAttempts());
    }
    for (ExecutorLifetimes.Lifetime l : executors) {
      p.setProperty("executor." + l.executorId(), (l.added() - start) + " "
          + (l.removed() < 0 || l.removed() > end ? -1 : l.removed() - start));
    }
    out.printf(Locale.ROOT, "step: skewed-tail job done in %.1f s: %d records, digest %s, "
        + "%.1f executor-seconds, %d map tasks recomputed, %d stage attempts resubmitted%n",
        (end - start) / 1000.0, SkewedWork.records(rows), SkewedWork.digest(rows),
        listener.executorMillis(end) / 1000.0, listener.recomputedMapTasks(),
        listener.resubmittedStageAttempts());
    out.flush();
    return p;
  }
}
