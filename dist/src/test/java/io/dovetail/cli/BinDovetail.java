package io.dovetail.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/dovetail} of the assembled distribution (failsafe passes its directory as
 * {@code dovetail.dist.dir}), as a user would. Not thread-safe.
 */
final class BinDovetail {
  /** A finished run. */
  record Result(int status, String out, String err) {}

  private BinDovetail() {}

  static Path home() {
    return Path.of(System.getProperty("dovetail.dist.dir", "target/dovetail-dist-missing"))
        .toAbsolutePath();
  }

  /** Starts {@code bin/dovetail args}; output goes to files in {@code dir}. */
  static Process start(Path dir, String name, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(home().resolve("bin/dovetail").toString());
    cmd.addAll(List.of(args));
    try {
      Files.createDirectories(dir);
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectOutput(dir.resolve(name + ".out").toFile())
          .redirectError(dir.resolve(name + ".err").toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code bin/dovetail args} to completion (killed after {@code timeout}). */
  static Result run(Path dir, String name, Duration timeout, Map<String, String> env,
      String... args) {
    Process p = start(dir, name, env, args);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("bin/dovetail " + String.join(" ", args) + " still running after "
            + timeout + "; output:\n" + read(dir.resolve(name + ".out")) + "\n"
            + read(dir.resolve(name + ".err")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return new Result(p.exitValue(), read(dir.resolve(name + ".out")),
        read(dir.resolve(name + ".err")));
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Processes still running from the distribution (servers, Spark daemons, executors). */
  static List<ProcessHandle> running() {
    String home = home().toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(home))
        .filter(p -> p.pid() != ProcessHandle.current().pid())
        .toList();
  }
}
