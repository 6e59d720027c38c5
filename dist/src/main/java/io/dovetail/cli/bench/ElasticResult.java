package io.dovetail.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * One application of the benchmark: what the skewed-tail job reported (its report file) and
 * what the benchmark did to it (the kill). Immutable.
 *
 * @param elasticCase which case
 * @param repetition from 1
 * @param wallMs the job, from its submission to its result
 * @param executorMs executor-seconds, in milliseconds: the sum of executor lifetimes during the
 *     job
 * @param executorsAdded executors the application had
 * @param maxAlive the most executors alive at once
 * @param recomputedMapTasks shuffle map task attempts beyond the first of each partition
 * @param recomputedResultTasks result task attempts beyond the first of each partition
 * @param resubmittedStages stage attempts beyond the first of each stage
 * @param failedTasks task attempts that failed
 * @param records records in the result
 * @param expectedRecords records generated
 * @param digest of the result
 * @param tailAloneMs when only the skewed partition was left running, from the job's start
 * @param shuffleTracking the application's effective shuffle-tracking setting
 * @param victim executor killed, or "" when none was
 */
public record ElasticResult(ElasticCase elasticCase, int repetition, long wallMs,
    long executorMs, int executorsAdded, int maxAlive, int recomputedMapTasks,
    int recomputedResultTasks, int resubmittedStages, int failedTasks, long records,
    long expectedRecords, String digest, long tailAloneMs, String shuffleTracking,
    String victim) {

  /** True if an executor was killed during this application. */
  public boolean killed() {
    return !victim.isEmpty();
  }

  /** Reads the job's report; {@code victim} is the executor the benchmark killed, or "". */
  public static ElasticResult read(ElasticCase c, int repetition, Path file, String victim) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the report " + file, e);
    }
    return new ElasticResult(c, repetition, number(p, "wallMs"), number(p, "executorMs"),
        (int) number(p, "executors.added"), (int) number(p, "executors.maxAlive"),
        (int) number(p, "recomputedMapTasks"), (int) number(p, "recomputedResultTasks"),
        (int) number(p, "resubmittedStageAttempts"), (int) number(p, "failedTasks"),
        number(p, "records"), number(p, "expectedRecords"), text(p, "digest"),
        number(p, "tailAloneMs"),
        p.getProperty("conf.dynamicAllocation.shuffleTracking.enabled", "(default)"), victim);
  }

  private static String text(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("the report has no " + key);
    }
    return v.trim();
  }

  private static long number(Properties p, String key) {
    return Long.parseLong(text(p, key));
  }
}
