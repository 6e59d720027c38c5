package io.dovetail.examples.terasort;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Adds up the shuffle metrics of every finished task of the application and prints progress
 * (tasks done per stage, at most every {@link #PROGRESS_INTERVAL_MS} ms per stage).
 *
 * <p>Spark delivers listener events on its listener-bus thread after the action that caused them
 * has returned; {@link #awaitJobs} waits until the end of given jobs has been delivered, and
 * since the bus delivers in order, so have all their task metrics. Thread-safe: events arrive on
 * the bus thread, readers call {@link #snapshot} from any thread.
 */
final class StepMetrics extends SparkListener {
  static final long PROGRESS_INTERVAL_MS = 2_000;

  /** Totals at one moment; subtract two to get a step's share. Immutable. */
  record Totals(long tasks, long failedTasks, long shuffleBytesWritten,
      long shuffleRecordsWritten, long shuffleBytesRead, long shuffleRecordsRead) {
    Totals minus(Totals o) {
      return new Totals(tasks - o.tasks, failedTasks - o.failedTasks,
          shuffleBytesWritten - o.shuffleBytesWritten,
          shuffleRecordsWritten - o.shuffleRecordsWritten,
          shuffleBytesRead - o.shuffleBytesRead, shuffleRecordsRead - o.shuffleRecordsRead);
    }
  }

  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong failedTasks = new AtomicLong();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final AtomicLong recordsWritten = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong recordsRead = new AtomicLong();
  private final Set<Integer> endedJobs = new HashSet<>();
  private final Map<Integer, int[]> stageProgress = new ConcurrentHashMap<>();
  private final Map<Integer, Long> stageLastPrint = new ConcurrentHashMap<>();
  private final PrintStream progress;
  private volatile String step = "";

  StepMetrics(PrintStream progress) {
    this.progress = progress;
  }

  /** Names the step that progress lines belong to. */
  void step(String name) {
    this.step = name;
  }

  Totals snapshot() {
    return new Totals(tasks.get(), failedTasks.get(), bytesWritten.get(), recordsWritten.get(),
        bytesRead.get(), recordsRead.get());
  }

  /** Waits until the end of every job in {@code jobIds} has reached this listener. */
  void awaitJobs(Collection<Integer> jobIds, Duration timeout) throws TimeoutException,
      InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (endedJobs) {
      while (!endedJobs.containsAll(jobIds)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("Spark did not report the end of jobs " + jobIds);
        }
        endedJobs.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd event) {
    synchronized (endedJobs) {
      endedJobs.add(event.jobId());
      endedJobs.notifyAll();
    }
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    stageProgress.put(event.stageInfo().stageId(), new int[] {0, event.stageInfo().numTasks()});
    stageLastPrint.put(event.stageInfo().stageId(), System.currentTimeMillis());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    tasks.incrementAndGet();
    if (!event.taskInfo().successful()) {
      failedTasks.incrementAndGet();
    }
    TaskMetrics m = event.taskMetrics();
    if (m != null) {
      bytesWritten.addAndGet(m.shuffleWriteMetrics().bytesWritten());
      recordsWritten.addAndGet(m.shuffleWriteMetrics().recordsWritten());
      bytesRead.addAndGet(m.shuffleReadMetrics().totalBytesRead());
      recordsRead.addAndGet(m.shuffleReadMetrics().recordsRead());
    }
    int[] p = stageProgress.get(event.stageId());
    if (p != null && event.taskInfo().successful()) {
      p[0]++;
      long now = System.currentTimeMillis();
      Long last = stageLastPrint.get(event.stageId());
      if (last != null && now - last >= PROGRESS_INTERVAL_MS && p[0] < p[1]) {
        stageLastPrint.put(event.stageId(), now);
        print(event.stageId(), p);
      }
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    int id = event.stageInfo().stageId();
    int[] p = stageProgress.remove(id);
    stageLastPrint.remove(id);
    if (p != null && event.stageInfo().failureReason().isEmpty()) {
      print(id, new int[] {p[1], p[1]});
    } else if (event.stageInfo().failureReason().isDefined()) {
      progress.println("progress: " + step + " stage " + id + " failed: "
          + event.stageInfo().failureReason().get());
    }
  }

  private void print(int stageId, int[] p) {
    progress.println("progress: " + step + " stage " + stageId + ": " + p[0] + "/" + p[1]
        + " tasks");
    progress.flush();
  }
}
