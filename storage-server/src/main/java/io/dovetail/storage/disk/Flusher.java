package io.dovetail.storage.disk;

import io.dovetail.common.util.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer threads of one data directory ({@code dovetail-flusher-<dir>-N}): they take
 * {@link FlushJob}s in submission order. They are critical: one that dies on an unexpected
 * exception halts the process, since the server cannot keep its promises without it. Thread-safe.
 */
public final class Flusher {
  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  private static final FlushJob STOP = new FlushJob() {
    @Override
    public void run() {}

    @Override
    public void cancel() {}
  };

  private final String name;
  private final LinkedBlockingQueue<FlushJob> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  /** Per thread, when its running job started ({@link System#nanoTime()}); 0 when idle. */
  private final AtomicLongArray runningSince;
  private volatile boolean stopping;

  public Flusher(String name, int threadCount) {
    this.name = name;
    this.runningSince = new AtomicLongArray(threadCount);
    var factory = Threads.critical(name);
    for (int i = 0; i < threadCount; i++) {
      int slot = i;
      threads.add(factory.newThread(() -> loop(slot)));
    }
  }

  /** How long the longest-running job has been running; 0 when none runs. */
  public long longestRunningNanos() {
    long now = System.nanoTime();
    long longest = 0;
    for (int i = 0; i < runningSince.length(); i++) {
      long since = runningSince.get(i);
      if (since != 0) {
        longest = Math.max(longest, now - since);
      }
    }
    return longest;
  }

  public void start() {
    threads.forEach(Thread::start);
  }

  /** Queues {@code job}; never blocks. After {@link #stop} the job is cancelled at once. */
  public void submit(FlushJob job) {
    if (stopping) {
      job.cancel();
      return;
    }
    queue.add(job);
    if (stopping && queue.remove(job)) {
      job.cancel();
    }
  }

  /** True while any of the writer threads runs. */
  public boolean anyThreadAlive() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  /** Jobs waiting to run. */
  public int queued() {
    return queue.size();
  }

  private void loop(int slot) {
    while (true) {
      FlushJob job;
      try {
        job = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (job == STOP) {
        queue.add(STOP);
        return;
      }
      runningSince.set(slot, System.nanoTime() | 1); // never 0 while running
      try {
        job.run();
      } finally {
        runningSince.set(slot, 0);
      }
    }
  }

  /**
   * Lets every thread finish the job it runs, cancels the jobs still queued, and waits up to
   * {@code timeout} for the threads to end. Idempotent.
   */
  public void stop(Duration timeout) {
    beginStop();
    awaitStop(System.nanoTime() + timeout.toNanos(), timeout);
  }

  /** The first half of {@link #stop}: no new jobs, queued ones cancelled; does not wait. */
  public void beginStop() {
    stopping = true;
    List<FlushJob> left = new ArrayList<>();
    queue.drainTo(left);
    queue.add(STOP);
    for (FlushJob j : left) {
      if (j != STOP) {
        j.cancel();
      }
    }
  }

  /**
   * The second half of {@link #stop}: waits until {@code deadline} ({@link System#nanoTime()})
   * for the threads to end, then cancels what was queued meanwhile.
   */
  public void awaitStop(long deadline, Duration timeout) {
    List<FlushJob> left = new ArrayList<>();
    for (Thread t : threads) {
      try {
        long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        t.join(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (t.isAlive()) {
        LOG.warn("{} did not finish its flush within {}", t.getName(), timeout);
      }
    }
    queue.drainTo(left);
    for (FlushJob j : left) {
      if (j != STOP) {
        j.cancel();
      }
    }
    // A thread still in its flush (it outlived the deadline) ends when it comes back for a job.
    queue.add(STOP);
  }

  @Override
  public String toString() {
    return name + "[" + queue.size() + " queued]";
  }
}
