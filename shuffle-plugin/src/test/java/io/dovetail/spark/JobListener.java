package io.dovetail.spark;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/** Records stage and task outcomes of an application, and can act when a map stage completes. */
final class JobListener extends SparkListener {
  final List<StageInfo> completedStages = new CopyOnWriteArrayList<>();
  final List<SparkListenerTaskEnd> taskEnds = new CopyOnWriteArrayList<>();
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
