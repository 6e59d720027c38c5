package io.dovetail.cli.demo;

import io.dovetail.cli.CommandFailedException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every process the demo starts, and the guarantee that none outlives it. {@link #stopAll()} (also
 * run by a shutdown hook, so Ctrl-C and SIGTERM are covered) sends SIGTERM to each child still
 * running, newest first, and SIGKILLs it if it has not exited after a grace period; then it
 * SIGKILLs every descendant seen along the way that is still there (a Spark Worker's executors).
 * Thread-safe: the demo thread starts processes while the shutdown hook may stop them.
 */
public final class ChildProcesses implements AutoCloseable {
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

  /** A started process; its standard output and error go to {@code log}. */
  public record Child(String name, Process process, Path log) {
    public long pid() {
      return process.pid();
    }

    /**
     * For failure messages: the log's error lines (exceptions, their causes, ERROR lines; at
     * most the last {@code lines}) or, when it has none, its last {@code lines} lines.
     */
    public String errorSummary(int lines) {
      String tail = logTail(2000);
      List<String> errors = tail.lines().filter(l -> !l.startsWith("\t") && (l.contains("ERROR")
          || l.startsWith("Caused by:") || l.startsWith("Exception in thread")
          || l.matches("^[\\w.$]+(Exception|Error)(: .*)?$"))).toList();
      if (errors.isEmpty()) {
        return logTail(lines);
      }
      return String.join("\n", errors.subList(Math.max(0, errors.size() - lines),
          errors.size()));
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
      try {
        List<String> all = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8)
            : List.of();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
      } catch (IOException | UncheckedIOException e) {
        return "(cannot read " + log + ": " + e.getMessage() + ")";
      }
    }
  }

  private final List<Child> children = new ArrayList<>();
  private final Set<ProcessHandle> descendants = new LinkedHashSet<>();
  private final Thread hook;
  private final Duration grace;
  private volatile boolean closing;

  /** Children get {@link #DEFAULT_GRACE} to exit after SIGTERM. */
  public ChildProcesses() {
    this(DEFAULT_GRACE, notice -> { });
  }

  /**
   * @param grace how long children get to exit after SIGTERM
   * @param notices told what happens when the JVM shuts down with children still running
   *     (Ctrl-C, SIGTERM)
   */
  public ChildProcesses(Duration grace, Consumer<String> notices) {
    this.grace = grace;
    hook = new Thread(() -> {
      if (closing || running().isEmpty()) {
        stopAll();
        return;
      }
      notices.accept("Interrupted: stopping every process the demo started");
      Stopped stopped = stopAll();
      notices.accept(stopped.describe(grace));
    }, "dovetail-demo-stop-children");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts {@code command} with {@code env} added to this process's environment (a {@code null}
   * value removes a variable). Standard input is empty. Standard error goes to {@code log}; so
   * does standard output, and when {@code lines} is not null each output line is also handed to
   * it, on a thread named after the process.
   */
  public synchronized Child start(String name, List<String> command, Map<String, String> env,
      Path log, Consumer<String> lines) {
    if (closing) {
      throw new IllegalStateException("stopping: not starting " + name);
    }
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.redirectOutput(lines == null ? ProcessBuilder.Redirect.appendTo(log.toFile())
          : ProcessBuilder.Redirect.PIPE);
      env.forEach((k, v) -> {
        if (v == null) {
          pb.environment().remove(k);
        } else {
          pb.environment().put(k, v);
        }
      });
      Process p = pb.start();
      Child child = new Child(name, p, log);
      children.add(child);
      if (lines != null) {
        Thread relay = new Thread(() -> relay(child, lines), "dovetail-demo-" + name + "-output");
        relay.setDaemon(true);
        relay.start();
      }
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
    }
  }

  /** Copies the child's standard output into its log, line by line, and to {@code lines}. */
  private static void relay(Child child, Consumer<String> lines) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        child.process().getInputStream(), StandardCharsets.UTF_8));
        OutputStream log = Files.newOutputStream(child.log(), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        log.flush();
        lines.accept(line);
      }
    } catch (IOException e) {
      // The process went away (or its log did); nothing left to relay.
    }
  }

  /**
   * Waits until {@code child} exits and returns its exit status. Fails with "interrupted" when
   * this thread is interrupted or every process is being stopped (for instance on Ctrl-C).
   */
  public int awaitExit(Child child) {
    int status;
    try {
      status = child.process().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailedException("interrupted");
    }
    if (closing) {
      throw new CommandFailedException("interrupted");
    }
    return status;
  }

  /** True once {@link #stopAll()} has begun (for instance on Ctrl-C). */
  public boolean closing() {
    return closing;
  }

  /** The processes started and still running. */
  public synchronized List<Child> running() {
    return children.stream().filter(c -> c.process().isAlive()).toList();
  }

  @Override
  public void close() {
    stopAll();
  }

  /**
   * What {@link #stopAll()} had to do beyond SIGTERM: the children still running after the grace
   * period (then killed), and the processes that survived even SIGKILL (expected: none).
   */
  public record Stopped(List<String> killed, List<ProcessHandle> survivors) {
    /** One line for the operator. */
    public String describe(Duration grace) {
      String text = killed.isEmpty() ? "" : "Killed " + String.join(", ", killed)
          + " (still running " + grace.toSeconds() + " s after SIGTERM). ";
      return text + (survivors.isEmpty() ? "All processes stopped"
          : "Could not stop pids " + survivors.stream().map(h -> Long.toString(h.pid()))
              .toList() + "; kill them by hand");
    }
  }

  /**
   * Stops everything, newest first, each child before the next: a Spark driver still needs the
   * metadata server to unregister its application, a worker the master. Idempotent.
   */
  public synchronized Stopped stopAll() {
    closing = true;
    List<String> killed = new ArrayList<>();
    List<ProcessHandle> all = new ArrayList<>();
    for (int i = children.size() - 1; i >= 0; i--) {
      Child c = children.get(i);
      Process p = c.process();
      p.descendants().forEach(descendants::add);
      all.add(p.toHandle());
      if (!p.isAlive()) {
        continue;
      }
      p.destroy();
      if (!waitFor(p.toHandle(), System.nanoTime() + grace.toNanos())) {
        killed.add(c.name());
        p.descendants().forEach(descendants::add);
        p.destroyForcibly();
      }
    }
    all.addAll(descendants);
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (ProcessHandle h : all) {
      waitFor(h, killDeadline);
    }
    removeHook();
    return new Stopped(killed, all.stream().filter(ProcessHandle::isAlive).toList());
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: this is the hook.
    }
  }

  private static boolean waitFor(ProcessHandle h, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    try {
      h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !h.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !h.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !h.isAlive();
    }
  }
}
