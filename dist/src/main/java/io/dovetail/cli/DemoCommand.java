package io.dovetail.cli;

import io.dovetail.cli.demo.Demo;
import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.cli.demo.Progress;
import io.dovetail.common.config.Sizes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dovetail demo}: TeraSort through Dovetail and through Spark's built-in shuffle on a
 * local cluster, then a comparison table and chart (see {@link Demo}). Exit status 1 if a run
 * fails or an output is invalid. Not thread-safe.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class, sortOptions = false,
    description = {"Runs TeraGen, then TeraSort and TeraValidate through Dovetail and through "
        + "Spark's built-in shuffle on a local cluster (a metadata server, two storage servers, "
        + "a Spark master and a worker for two one-core executors), and compares them.",
        "Writes comparison.txt and comparison.png to the work directory. Every process it "
            + "starts is stopped at the end, on failure and on Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--size", paramLabel = "<size>", defaultValue = "1g",
      description = "Input size, with k, m or g (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(names = "--partitions", paramLabel = "<n>",
      description = "Input files, map and reduce tasks (default: one per 64 MiB, at least 2).")
  Integer partitions;

  @Option(names = "--work-dir", paramLabel = "<dir>", defaultValue = "dovetail-demo",
      description = "Data, logs, reports and the chart (default: ${DEFAULT-VALUE}).")
  Path workDir;

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

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    DemoSettings settings = settings();
    boolean valid = new Demo(settings, new Progress(spec.commandLine().getOut())).run();
    if (!valid) {
      throw new CommandFailedException("an output did not validate");
    }
    return 0;
  }

  private long size(String option, String text) {
    try {
      return Sizes.parseBytes(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + ": '" + text
          + "' is not a size (" + e.getMessage() + ")");
    }
  }

  DemoSettings settings() {
    long bytes = size("--size", size);
    size("--executor-memory", executorMemory);
    try {
      return new DemoSettings(bytes, partitions != null ? partitions
          : DemoSettings.defaultPartitions(bytes), workDir, keep, portBase, sparkHome,
          executorMemory, replication, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
