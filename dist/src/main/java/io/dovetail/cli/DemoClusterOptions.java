package io.dovetail.cli;

import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.common.config.Sizes;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options of the local cluster that {@code demo} and {@code bench terasort} start: ports, the
 * Spark runtime, executor memory, replication, the data seed and whether to keep the data. A
 * picocli mixin. Not thread-safe.
 */
final class DemoClusterOptions {
  @Option(names = "--keep",
      description = "Keep the generated and sorted data and the store's files.")
  boolean keep;

  @Option(names = "--port-base", paramLabel = "<port>", defaultValue = "19300",
      description = "First of five ports on 127.0.0.1: metadata server, two storage servers, "
          + "Spark master, its web UI (default: ${DEFAULT-VALUE}).")
  int portBase;

  @Option(names = "--spark-home", paramLabel = "<dir>",
      description = "A Spark 4.1 (Scala 2.13) runtime (default: the distribution's spark/).")
  Path sparkHome;

  @Option(names = "--executor-memory", paramLabel = "<size>", defaultValue = "1g",
      description = "Heap of each of the two executors (default: ${DEFAULT-VALUE}).")
  String executorMemory;

  @Option(names = "--replication", paramLabel = "<n>", defaultValue = "1",
      description = "Dovetail copies of each shuffle partition, 1 or 2 (default: "
          + "${DEFAULT-VALUE}).")
  int replication;

  @Option(names = "--seed", paramLabel = "<n>", defaultValue = "1",
      description = "Seed of the generated data (default: ${DEFAULT-VALUE}).")
  long seed;

  /** The settings for {@code sizeBytes} in {@code partitions}; a bad value is a usage error. */
  DemoSettings settings(CommandLine cmd, long sizeBytes, int partitions, Path workDir) {
    size(cmd, "--executor-memory", executorMemory);
    try {
      return new DemoSettings(sizeBytes, partitions, workDir, keep, portBase, sparkHome,
          executorMemory, replication, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  /** {@code text} in bytes; not a size is a usage error naming {@code option}. */
  static long size(CommandLine cmd, String option, String text) {
    try {
      return Sizes.parseBytes(text.trim());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, option + ": '" + text
          + "' is not a size (" + e.getMessage() + ")");
    }
  }
}
