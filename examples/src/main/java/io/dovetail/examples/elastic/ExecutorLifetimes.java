package io.dovetail.examples.elastic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * When each executor of an application was added and removed, and what they cost together:
 * executor-seconds, the sum over executors of (removed, or the end of the application) minus
 * added. Times are milliseconds on one clock (Spark's event times). An executor removed without
 * having been seen added (it registered before the listener) counts from {@code origin}. Not
 * thread-safe; {@link ElasticListener} guards it.
 */
final class ExecutorLifetimes {
  /** One executor's lifetime; {@code removed} is -1 while it is alive. */
  record Lifetime(String executorId, long added, long removed) {
    /** Its share of executor time until {@code end}, never negative. */
    long millisUntil(long end) {
      long stop = removed < 0 ? end : Math.min(removed, end);
      return Math.max(0, stop - added);
    }
  }

  private final long origin;
  private final Map<String, Lifetime> executors = new LinkedHashMap<>();

  ExecutorLifetimes(long origin) {
    this.origin = origin;
  }

  long origin() {
    return origin;
  }

  /** True once {@code executorId} was seen added or removed. */
  boolean known(String executorId) {
    return executors.containsKey(executorId);
  }

  void added(String executorId, long time) {
    executors.putIfAbsent(executorId, new Lifetime(executorId, time, -1));
  }

  void removed(String executorId, long time) {
    Lifetime l = executors.get(executorId);
    long added = l == null ? origin : l.added();
    if (l == null || l.removed() < 0) {
      executors.put(executorId, new Lifetime(executorId, added, time));
    }
  }

  /** Executor time in milliseconds until {@code end} (the end of the application). */
  long executorMillis(long end) {
    return executors.values().stream().mapToLong(l -> l.millisUntil(end)).sum();
  }

  /** Executors seen, in the order they were added. */
  List<Lifetime> lifetimes() {
    return new ArrayList<>(executors.values());
  }

  int removedCount() {
    return (int) executors.values().stream().filter(l -> l.removed() >= 0).count();
  }

  /** Executors added and not removed. */
  Set<String> alive() {
    Set<String> alive = new TreeSet<>();
    executors.values().stream().filter(l -> l.removed() < 0)
        .forEach(l -> alive.add(l.executorId()));
    return alive;
  }

  /** The most executors alive at once. */
  int maxAlive() {
    List<long[]> edges = new ArrayList<>();
    for (Lifetime l : executors.values()) {
      edges.add(new long[] {l.added(), 1});
      if (l.removed() >= 0) {
        edges.add(new long[] {l.removed(), -1});
      }
    }
    // At equal times a removal comes first: a replacement is not counted as overlap.
    edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int alive = 0;
    int max = 0;
    for (long[] e : edges) {
      alive += (int) e[1];
      max = Math.max(max, alive);
    }
    return max;
  }
}
