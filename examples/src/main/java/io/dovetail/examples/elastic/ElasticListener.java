package io.dovetail.examples.elastic;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;

/**
 * What {@link SkewedTailJob} measures, from Spark's listener events: executor lifetimes
 * ({@link ExecutorLifetimes}), task and stage attempts ({@link TaskAttempts}), and the moment the
 * skewed partition is the only task of its stage still running, and the moment the skewed stage
 * completes. At each it prints one line for the benchmark driver, which may kill the executor
 * it names (the job itself only reports):
 *
 * <ul>
 *   <li>{@value #TAIL_ALONE} followed by {@code app=ID tail-executor=ID victim=ID|none}: the
 *       victim is an idle executor that holds map output (the most of it) and is not running
 *       the tail;
 *   <li>{@value #TAIL_DONE} with the same fields: the victim is the executor that ran the skewed
 *       partition, which holds the largest map output of the job, if it is still alive.
 * </ul>
 *
 * Progress lines go to standard output.
 *
 * <p>Thread-safe: events arrive on Spark's listener-bus thread, readers call from the driver's
 * main thread; every method synchronizes on this listener.
 */
final class ElasticListener extends SparkListener {
  static final String TAIL_ALONE = "elastic: tail-alone";
  static final String TAIL_DONE = "elastic: tail-done";

  private final PrintStream out;
  private final String appId;
  private final String tailRddName;
  private final int tailPartition;
  private final ExecutorLifetimes lifetimes;
  private final TaskAttempts attempts = new TaskAttempts();
  private final Set<Integer> endedJobs = new HashSet<>();
  /** Successful shuffle map tasks per executor: who holds map output. */
  private final Map<String, Integer> mapOutputsByExecutor = new HashMap<>();
  private final Map<Integer, String> stageNames = new HashMap<>();
  private int tailStage = -1;
  private int tailStageTasks;
  private final Set<Integer> tailStageDone = new HashSet<>();
  private String tailExecutor;
  /** The executor whose attempt of the skewed partition succeeded. */
  private String tailWriter;
  private boolean tailDoneAnnounced;
  private long tailAloneAt = -1;
  private String victim;
  /** The executor named when the skewed stage was done, or null before or if none was alive. */
  private String tailDoneVictim;
  private int failedTasks;

  ElasticListener(PrintStream out, String appId, String tailRddName, int tailPartition,
      long origin) {
    this.out = out;
    this.appId = appId;
    this.tailRddName = tailRddName;
    this.tailPartition = tailPartition;
    this.lifetimes = new ExecutorLifetimes(origin);
  }

  /**
   * Executors that registered before this listener was added, as of {@code origin}; one seen
   * added or removed already keeps what was seen.
   */
  synchronized void alreadyRegistered(Collection<String> executorIds) {
    for (String id : executorIds) {
      if (!lifetimes.known(id)) {
        lifetimes.added(id, lifetimes.origin());
      }
    }
  }

  @Override
  public synchronized void onExecutorAdded(SparkListenerExecutorAdded event) {
    lifetimes.added(event.executorId(), event.time());
    print("executor " + event.executorId() + " added (" + lifetimes.alive().size() + " alive)");
  }

  @Override
  public synchronized void onExecutorRemoved(SparkListenerExecutorRemoved event) {
    lifetimes.removed(event.executorId(), event.time());
    print("executor " + event.executorId() + " removed: " + event.reason() + " ("
        + lifetimes.alive().size() + " alive)");
  }

  @Override
  public synchronized void onStageSubmitted(SparkListenerStageSubmitted event) {
    StageInfo s = event.stageInfo();
    attempts.stageSubmitted(s.stageId(), s.attemptNumber(), s.shuffleDepId().isDefined(),
        s.numTasks());
    boolean tail = false;
    for (var it = s.rddInfos().iterator(); it.hasNext();) {
      tail |= tailRddName.equals(it.next().name());
    }
    if (tail && tailStage < 0) {
      tailStage = s.stageId();
      tailStageTasks = s.numTasks();
    }
    String name = tail ? "skewed stage" : s.shuffleDepId().isDefined() ? "map stage"
        : "result stage";
    stageNames.put(s.stageId(), name);
    print(name + " " + s.stageId() + (s.attemptNumber() > 0 ? " (attempt " + s.attemptNumber()
        + ")" : "") + " submitted: " + s.numTasks() + " tasks");
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted event) {
    StageInfo s = event.stageInfo();
    String reason = s.failureReason().isDefined() ? " FAILED: " + firstLine(
        s.failureReason().get()) : "";
    print(stageNames.getOrDefault(s.stageId(), "stage") + " " + s.stageId() + " done" + reason);
    if (s.stageId() == tailStage && s.failureReason().isEmpty() && !tailDoneAnnounced
        && tailWriter != null) {
      tailDoneAnnounced = true;
      tailDoneVictim = lifetimes.alive().contains(tailWriter) ? tailWriter : null;
      out.println(TAIL_DONE + " app=" + appId + " tail-executor=" + tailWriter + " victim="
          + (tailDoneVictim == null ? "none" : tailDoneVictim));
      out.flush();
    }
  }

  @Override
  public synchronized void onTaskStart(SparkListenerTaskStart event) {
    attempts.taskStarted(event.stageId(), event.taskInfo().partitionId());
    if (event.stageId() == tailStage && event.taskInfo().partitionId() == tailPartition) {
      tailExecutor = event.taskInfo().executorId();
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
    boolean success = event.reason() instanceof Success$;
    if (!success && !event.taskInfo().successful()) {
      failedTasks++;
    }
    if (!success) {
      return;
    }
    if ("ShuffleMapTask".equals(event.taskType())) {
      mapOutputsByExecutor.merge(event.taskInfo().executorId(), 1, Integer::sum);
    }
    if (event.stageId() == tailStage) {
      if (event.taskInfo().partitionId() == tailPartition) {
        tailWriter = event.taskInfo().executorId();
      }
      tailStageDone.add(event.taskInfo().partitionId());
      if (tailAloneAt < 0 && tailStageDone.size() == tailStageTasks - 1
          && !tailStageDone.contains(tailPartition) && tailExecutor != null) {
        tailAloneAt = event.taskInfo().finishTime();
        victim = chooseVictim().orElse(null);
        out.println(TAIL_ALONE + " app=" + appId + " tail-executor=" + tailExecutor + " victim="
            + (victim == null ? "none" : victim));
        out.flush();
      }
    }
  }

  /** The live executor, other than the tail's, that wrote the most map outputs. */
  private Optional<String> chooseVictim() {
    return lifetimes.alive().stream()
        .filter(id -> !id.equals(tailExecutor) && mapOutputsByExecutor.containsKey(id))
        .max((a, b) -> Integer.compare(mapOutputsByExecutor.get(a), mapOutputsByExecutor.get(b)));
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd event) {
    synchronized (this) {
      endedJobs.add(event.jobId());
      notifyAll();
    }
  }

  /** Waits until the end of every job in {@code jobIds} has reached this listener. */
  synchronized void awaitJobs(Collection<Integer> jobIds, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!endedJobs.containsAll(jobIds)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("Spark did not report the end of jobs " + jobIds);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  synchronized long executorMillis(long end) {
    return lifetimes.executorMillis(end);
  }

  synchronized int recomputedMapTasks() {
    return attempts.recomputedMapTasks();
  }

  synchronized int recomputedResultTasks() {
    return attempts.recomputedResultTasks();
  }

  synchronized int resubmittedStageAttempts() {
    return attempts.resubmittedStageAttempts();
  }

  synchronized java.util.List<TaskAttempts.StageCounts> stages() {
    return attempts.stages();
  }

  synchronized java.util.List<ExecutorLifetimes.Lifetime> executors() {
    return lifetimes.lifetimes();
  }

  synchronized int maxAlive() {
    return lifetimes.maxAlive();
  }

  synchronized int failedTasks() {
    return failedTasks;
  }

  /** Event time when only the tail was left running, or -1. */
  synchronized long tailAloneAt() {
    return tailAloneAt;
  }

  /** The victim named when only the tail was left, or null. */
  synchronized String victim() {
    return victim;
  }

  /** The victim named when the skewed stage was done, or null. */
  synchronized String tailDoneVictim() {
    return tailDoneVictim;
  }

  synchronized String tailExecutor() {
    return tailExecutor;
  }

  private void print(String message) {
    out.println("progress: " + message);
    out.flush();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
