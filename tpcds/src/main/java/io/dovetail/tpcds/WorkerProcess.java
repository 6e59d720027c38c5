package io.dovetail.tpcds;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The benchmark's handle on a child JVM: a {@link QueryWorker} or the data generator, started with
 * this JVM's own class path and options but its own heap size, its standard error appended to a
 * log file.
 *
 * <p>Not thread-safe: one caller; a daemon thread (named after the worker) reads its output.
 */
final class WorkerProcess implements AutoCloseable {
  private static final String END = "\u0000end";

  private final String name;
  private final Process process;
  private final Writer requests;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private WorkerProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readOutput, "tpcds-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with {@code args} in a JVM of {@code heap}, stderr to {@code log}. */
  static WorkerProcess start(String name, String heap, Path log, Class<?> mainClass,
      List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!option.startsWith("-Xmx") && !option.startsWith("-agentlib")
          && !option.startsWith("-javaagent")) {
        command.add(option);
      }
    }
    command.add("-Xmx" + heap);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putIfAbsent("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
    try {
      return new WorkerProcess(name, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + name + " JVM", e);
    }
  }

  String name() {
    return name;
  }

  /** Sends one request line. */
  void send(String request) throws IOException {
    requests.write(request + "\n");
    requests.flush();
  }

  /**
   * The next output line starting with {@code prefix}, giving other lines to {@code other}; null
   * when the process ended or {@code timeout} passed first.
   */
  String await(String prefix, Duration timeout, Consumer<String> other) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        return null;
      }
      if (line.equals(END)) {
        lines.add(END);
        return null;
      }
      if (line.startsWith(prefix)) {
        return line;
      }
      other.accept(line);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end by itself; its exit code, or -1 if it had to be killed. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    close();
    return -1;
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The process ended; END below tells the waiting caller.
    } finally {
      lines.add(END);
    }
  }

  /** Kills the process (and its children) if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
