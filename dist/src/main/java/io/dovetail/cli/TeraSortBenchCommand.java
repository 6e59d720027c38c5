package io.dovetail.cli;

import io.dovetail.cli.demo.DemoSettings;
import io.dovetail.cli.demo.Progress;
import io.dovetail.cli.demo.TeraSortBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dovetail bench terasort}: TeraSort through Spark's built-in shuffle and through Dovetail
 * at several sizes, several alternating runs each, with medians and ratios (see
 * {@link TeraSortBench}). Exit status 1 if a run fails or an output is invalid. Not thread-safe.
 */
@Command(name = "terasort", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class, sortOptions = false,
    description = {"Runs TeraGen once per size, then TeraSort and TeraValidate through Spark's "
        + "built-in shuffle and through Dovetail, alternating which goes first, on the demo's "
        + "local cluster (a metadata server, two storage servers, a Spark master and a worker "
        + "for two one-core executors). Every output is validated.",
        "Writes results.md, results.csv and results.png (median wall times and the ratio "
            + "Dovetail / built-in per size) to the work directory after every run."})
final class TeraSortBenchCommand implements Callable<Integer> {
  @Option(names = "--sizes", paramLabel = "<size>[,<size>...]", defaultValue = "1g,2g",
      description = "Input sizes, with k, m or g (default: ${DEFAULT-VALUE}).")
  String sizes;

  @Option(names = "--runs", paramLabel = "<n>", defaultValue = "3",
      description = "Runs of each shuffle at each size (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--partitions", paramLabel = "<n>",
      description = "Input files, map and reduce tasks at every size (default: one per 64 MiB, "
          + "at least 2).")
  Integer partitions;

  @Option(names = "--shuffles", paramLabel = "<name>[,<name>...]", defaultValue = "spark,dovetail",
      description = "Shuffles to run, spark and/or dovetail; the first goes first in odd rounds "
          + "(default: ${DEFAULT-VALUE}).")
  String shuffles;

  @Option(names = "--spark-conf", paramLabel = "<key=value>",
      description = "Spark setting added to every TeraSort application, for example "
          + "spark.executor.extraJavaOptions=... to profile the executors. Repeatable.")
  List<String> sparkConf = new ArrayList<>();

  @Option(names = "--work-dir", paramLabel = "<dir>", defaultValue = "dovetail-bench",
      description = "Data, logs, reports and the results (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @CommandLine.Mixin
  DemoClusterOptions cluster;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    boolean valid = new TeraSortBench(settings(), new Progress(spec.commandLine().getOut()))
        .run();
    if (!valid) {
      throw new CommandFailedException("an output did not validate");
    }
    return 0;
  }

  TeraSortBench.Settings settings() {
    CommandLine cmd = spec.commandLine();
    List<Long> bytes = new ArrayList<>();
    for (String s : split(sizes)) {
      bytes.add(DemoClusterOptions.size(cmd, "--sizes", s));
    }
    Map<String, String> conf = new LinkedHashMap<>();
    for (String kv : sparkConf) {
      int eq = kv.indexOf('=');
      if (eq <= 0 || !kv.startsWith("spark.")) {
        throw new CommandLine.ParameterException(cmd, "--spark-conf: '" + kv
            + "' is not spark.<key>=<value>");
      }
      conf.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    DemoSettings base = cluster.settings(cmd, bytes.isEmpty() ? DemoSettings.RECORD_SIZE
        : bytes.get(0), partitions != null ? partitions : 2, workDir);
    try {
      return new TeraSortBench.Settings(base, bytes, partitions, runs, split(shuffles), conf);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  private static List<String> split(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
