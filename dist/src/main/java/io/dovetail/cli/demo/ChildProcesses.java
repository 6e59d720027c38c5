package io.dovetail.cli.demo;

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
 * run by a shutdown hook, so Ctrl-C and SIGTERM are covered) sends SIGTERM to every child still
 * running, newest first, waits up to a grace period for all of them, then SIGKILLs whatever is
 * left: children and every descendant seen before or after the SIGTERM (a Spark Worker's
 * executors, SparkSubmit's driver JVM). Thread-safe: the demo thread starts processes while the
 * shutdown hook may close.
 */
public final class ChildProcesses implements AutoCloseable {
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

  /** A started process; its standard output and error go to {@code log}. */
  public record Child(String name, Process process, Path log) {
    public long pid() {
      return process.pid();
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
    this(DEFAULT_GRACE);
  }

  public ChildProcesses(Duration grace) {
    this.grace = grace;
    hook = new Thread(this::stopAll, "dovetail-demo-stop-children");
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
   * Stops everything; idempotent. Returns the processes that survived even SIGKILL (expected to
   * be none), so the caller can name them.
   */
  public synchronized List<ProcessHandle> stopAll() {
    closing = true;
    List<Child> toStop = new ArrayList<>(children);
    List<ProcessHandle> all = new ArrayList<>();
    for (int i = toStop.size() - 1; i >= 0; i--) {
      Process p = toStop.get(i).process();
      p.descendants().forEach(descendants::add);
      if (p.isAlive()) {
        p.destroy();
      }
      all.add(p.toHandle());
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : all) {
      waitFor(h, deadline);
    }
    for (Child c : toStop) {
      c.process().descendants().forEach(descendants::add);
    }
    all.addAll(descendants);
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (ProcessHandle h : all) {
      waitFor(h, killDeadline);
    }
    removeHook();
    return all.stream().filter(ProcessHandle::isAlive).toList();
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
