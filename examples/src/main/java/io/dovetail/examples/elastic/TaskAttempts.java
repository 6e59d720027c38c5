package io.dovetail.examples.elastic;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the work Spark did again: task attempts beyond the first of each (stage, partition),
 * separately for shuffle map stages and result stages, and stage attempts beyond the first
 * (resubmissions after lost map output). Every launched attempt counts, whatever its end: a task
 * killed with its executor and run again is recomputation too. Not thread-safe;
 * {@link ElasticListener} guards it.
 */
final class TaskAttempts {
  /** What one stage ran: its partitions, attempts launched, and stage attempts submitted. */
  record StageCounts(int stageId, boolean shuffleMap, int numTasks, int taskAttempts,
      int stageAttempts) {}

  private static final class Stage {
    final boolean shuffleMap;
    final int numTasks;
    int stageAttempts;
    final Map<Integer, Integer> launches = new HashMap<>();

    Stage(boolean shuffleMap, int numTasks) {
      this.shuffleMap = shuffleMap;
      this.numTasks = numTasks;
    }

    int recomputed() {
      return launches.values().stream().mapToInt(n -> Math.max(0, n - 1)).sum();
    }
  }

  private final Map<Integer, Stage> stages = new TreeMap<>();

  /**
   * A stage attempt was submitted. {@code numTasks} of the first attempt is the stage's number
   * of partitions; a resubmitted attempt runs only the missing ones.
   */
  void stageSubmitted(int stageId, int attempt, boolean shuffleMap, int numTasks) {
    Stage s = stages.computeIfAbsent(stageId, id -> new Stage(shuffleMap, numTasks));
    s.stageAttempts = Math.max(s.stageAttempts, attempt + 1);
  }

  /** A task attempt of {@code partition} was launched. */
  void taskStarted(int stageId, int partition) {
    Stage s = stages.computeIfAbsent(stageId, id -> new Stage(false, 0));
    s.launches.merge(partition, 1, Integer::sum);
  }

  /** Attempts of shuffle map tasks beyond the first of each (stage, partition). */
  int recomputedMapTasks() {
    return stages.values().stream().filter(s -> s.shuffleMap).mapToInt(Stage::recomputed).sum();
  }

  /** Attempts of result tasks beyond the first of each (stage, partition). */
  int recomputedResultTasks() {
    return stages.values().stream().filter(s -> !s.shuffleMap).mapToInt(Stage::recomputed)
        .sum();
  }

  /** Stage attempts beyond the first of each stage. */
  int resubmittedStageAttempts() {
    return stages.values().stream().mapToInt(s -> Math.max(0, s.stageAttempts - 1)).sum();
  }

  /** Per stage, in stage order. */
  java.util.List<StageCounts> stages() {
    return stages.entrySet().stream().map(e -> new StageCounts(e.getKey(),
        e.getValue().shuffleMap, e.getValue().numTasks,
        e.getValue().launches.values().stream().mapToInt(Integer::intValue).sum(),
        e.getValue().stageAttempts)).toList();
  }
}
