package io.dovetail.cli.bench;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a Spark executor's JVM among a worker's descendants by the application and executor ids
 * in its command line, and kills it with SIGKILL ({@code kill -9}): no shutdown hook runs, the
 * driver learns of the loss only when the connection drops, as with a crashed machine.
 * Stateless and thread-safe.
 */
public final class ExecutorKiller {
  /**
   * The job's line at a moment an executor may be killed (only the skewed partition left
   * running, the skewed stage done): which executor to kill.
   */
  static final Pattern ANNOUNCEMENT = Pattern.compile(
      "^elastic: (tail-alone|tail-done) app=(\\S+) tail-executor=(\\S+) victim=(\\S+)$");

  /**
   * What the job announced: the moment ({@link ElasticCase.Kill#moment()}), its application,
   * the executor running (or that ran) the skewed partition, and the victim.
   */
  public record Announcement(String moment, String appId, String tailExecutor, String victim) {
    /** True if the job named an executor to kill. */
    public boolean hasVictim() {
      return !victim.equals("none");
    }
  }

  private ExecutorKiller() {}

  /** The announcement in {@code line}, if it is one. */
  public static Optional<Announcement> parse(String line) {
    Matcher m = ANNOUNCEMENT.matcher(line.trim());
    return m.matches() ? Optional.of(new Announcement(m.group(1), m.group(2), m.group(3),
        m.group(4))) : Optional.empty();
  }

  /** True if {@code commandLine} is executor {@code executorId} of {@code appId}. */
  static boolean isExecutor(String commandLine, String appId, String executorId) {
    String padded = commandLine + " ";
    return padded.contains("CoarseGrainedExecutorBackend")
        && padded.contains("--app-id " + appId + " ")
        && padded.contains("--executor-id " + executorId + " ");
  }

  /** The executor's process among {@code candidates} (a worker's descendants). */
  public static Optional<ProcessHandle> find(Stream<ProcessHandle> candidates, String appId,
      String executorId) {
    return candidates.filter(p -> isExecutor(p.info().commandLine().orElse(""), appId,
        executorId)).findFirst();
  }

  /** Sends SIGKILL to {@code p} and waits until it is gone; returns its pid. */
  public static long kill(ProcessHandle p) {
    p.destroyForcibly();
    p.onExit().join();
    return p.pid();
  }
}
