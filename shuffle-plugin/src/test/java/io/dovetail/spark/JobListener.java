package io.dovetail.spark;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/** Records stage and task outcomes of an application, and can act when a map stage completes. */
class JobListener extends SparkListener {
  final List<StageInfo> completedStages = new CopyOnWriteArrayList<>();
  final List<SparkListenerTaskEnd> taskEnds = new CopyOnWriteArrayList<>();
  final List<SparkListenerExecutorRemoved> executorsRemoved = new CopyOnWriteArrayList<>();
  final List<SparkListenerStageSubmitted> stagesSubmitted = new CopyOnWriteArrayList<>();
  private volatile Consumer<SparkListenerExecutorRemoved> onExecutorRemoved = e -> { };
  private final Consumer<StageInfo> onMapStageDone;

  JobListener(Consumer<StageInfo> onMapStageDone) {
    this.onMapStageDone = onMapStageDone;
  }

  JobListener() {
    this(s -> { });
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    StageInfo info = event.stageInfo();
    completedStages.add(info);
    if (info.shuffleDepId().isDefined() && info.failureReason().isEmpty()) {
      onMapStageDone.accept(info);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    taskEnds.add(event);
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
    executorsRemoved.add(event);
    onExecutorRemoved.accept(event);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    stagesSubmitted.add(event);
  }

  JobListener onExecutorRemoved(Consumer<SparkListenerExecutorRemoved> action) {
    this.onExecutorRemoved = action;
    return this;
  }

  /** Map tasks (stage, partition) that ran more than once: retried, re-run or speculated. */
  long mapTasksRunTwice() {
    return taskEnds.stream().filter(t -> t.taskType().equals("ShuffleMapTask"))
        .collect(java.util.stream.Collectors.groupingBy(
            t -> t.stageId() + "/" + t.taskInfo().index(), java.util.stream.Collectors.counting()))
        .values().stream().filter(n -> n > 1).count();
  }

  /** Task attempts that ran for shuffle map stages (a re-run map task shows up twice). */
  long mapTaskAttempts() {
    return taskEnds.stream().filter(t -> t.taskType().equals("ShuffleMapTask")).count();
  }

  /** Stages that ran again after a failure (stage attempt above 0). */
  long stageRetries() {
    return completedStages.stream().filter(s -> s.attemptNumber() > 0).count();
  }

  long failedStages() {
    return completedStages.stream().filter(s -> s.failureReason().isDefined()).count();
  }

  long speculativeTasks() {
    return taskEnds.stream().filter(t -> t.taskInfo().speculative()).count();
  }

  long failedTasks() {
    return taskEnds.stream().filter(t -> !t.taskInfo().successful() && !t.taskInfo().killed())
        .count();
  }
}
