package io.dovetail.cli.bench;

import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.common.config.Sizes;
import java.nio.file.Path;
import java.util.List;

/**
 * What the elastic-executor benchmark runs: the skewed-tail job's size, the dynamic-allocation
 * settings, the cases and repetitions, and the local cluster (the demo's, with a worker offering
 * {@code maxExecutors} one-core executors). Immutable.
 *
 * @param workDir logs, Spark scratch space, store files and the report
 * @param portBase first of five ports, as for the demo
 * @param sparkHome the Spark runtime; {@code null} for the distribution's own
 * @param executorMemory heap of each executor
 * @param maxExecutors executors an application may have at once (also the worker's cores)
 * @param idleTimeout Spark's {@code executorIdleTimeout}
 * @param repetitions runs of every case
 * @param cases the cases, in the order of the first repetition
 * @param job the job's size
 */
public record ElasticSettings(Path workDir, int portBase, Path sparkHome, String executorMemory,
    int maxExecutors, String idleTimeout, int repetitions, List<ElasticCase> cases, Job job) {

  /**
   * The skewed-tail job's arguments (see {@code io.dovetail.examples.elastic.SkewedTailJob}).
   */
  public record Job(long records, int maps, int reduces, double skew, int mapRounds, int rounds,
      long seed) {
    public Job {
      if (records < 1 || maps < 1 || reduces < 2 || mapRounds < 0 || rounds < 0) {
        throw new IllegalArgumentException("--records and --maps must be at least 1, --reduces "
            + "at least 2, rounds not negative");
      }
      if (!(skew >= 0 && skew < 1)) {
        throw new IllegalArgumentException("--skew must be in [0, 1), not " + skew);
      }
    }

    /** The job's command-line arguments. */
    public List<String> args() {
      return List.of("--records", Long.toString(records), "--maps", Integer.toString(maps),
          "--reduces", Integer.toString(reduces), "--skew", Double.toString(skew),
          "--map-rounds", Integer.toString(mapRounds), "--rounds", Integer.toString(rounds),
          "--seed", Long.toString(seed));
    }
  }

  public ElasticSettings {
    if (maxExecutors < 2 || maxExecutors > 16) {
      throw new IllegalArgumentException("--max-executors must be between 2 and 16");
    }
    if (repetitions < 1) {
      throw new IllegalArgumentException("--repetitions must be at least 1");
    }
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("--cases names no case");
    }
    try {
      Sizes.parseDuration(idleTimeout);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--idle-timeout: '" + idleTimeout + "' is not a "
          + "duration such as 5s (" + e.getMessage() + ")");
    }
    cases = List.copyOf(cases);
    // The cluster's own checks (ports, executor memory) apply as for the demo.
    cluster(workDir, portBase, sparkHome, executorMemory);
  }

  /** The local cluster's settings; the data-set fields of the demo are unused. */
  public DemoSettings cluster() {
    return cluster(workDir, portBase, sparkHome, executorMemory);
  }

  private static DemoSettings cluster(Path workDir, int portBase, Path sparkHome,
      String executorMemory) {
    return new DemoSettings(DemoSettings.RECORD_SIZE, 1, workDir, false, portBase, sparkHome,
        executorMemory, 1, 1);
  }
}
