package io.dovetail.cli;

import io.dovetail.cli.demo.Demo;
import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.cli.demo.Progress;
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

  @CommandLine.Mixin
  DemoClusterOptions cluster;

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

  DemoSettings settings() {
    long bytes = DemoClusterOptions.size(spec.commandLine(), "--size", size);
    return cluster.settings(spec.commandLine(), bytes, partitions != null ? partitions
        : DemoSettings.defaultPartitions(bytes), workDir);
  }
}
