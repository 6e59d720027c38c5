package io.dovetail.cli;

import io.dovetail.cli.bench.ElasticBench;
import io.dovetail.cli.bench.ElasticCase;
import io.dovetail.cli.bench.ElasticSettings;
import io.dovetail.cli.demo.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dovetail bench elastic}: the skewed-tail job with dynamic allocation through Spark's
 * built-in shuffle and through Dovetail, undisturbed and with an executor killed (see
 * {@link ElasticBench}). Exit status 1 if an application fails or the results are wrong; missed
 * targets are reported, not failures. Not thread-safe.
 */
@Command(name = "elastic", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class, sortOptions = false,
    description = {"Runs a job with a long skewed tail with dynamic allocation on a local "
        + "cluster, through Spark's built-in shuffle (with shuffle tracking) and through "
        + "Dovetail: undisturbed, with an idle executor killed while only the skewed "
        + "partition is left, and with the skewed partition's executor killed as soon as its "
        + "stage is done; compares wall time, executor-seconds and recomputed tasks.",
        "Writes elastic.md, elastic.csv and elastic.png to the work directory. Every process "
            + "it starts is stopped at the end, on failure and on Ctrl-C."})
final class ElasticCommand implements Callable<Integer> {
  @Option(names = "--repetitions", paramLabel = "<n>", defaultValue = "1",
      description = "Runs of every case (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--cases", paramLabel = "<case,...>",
      defaultValue = "builtin,dovetail,builtin-kill,dovetail-kill,builtin-kill-writer,"
          + "dovetail-kill-writer", split = ",",
      description = "Cases, in order (default: ${DEFAULT-VALUE}).")
  List<String> cases;

  @Option(names = "--records", paramLabel = "<n>", defaultValue = "4000000",
      description = "Records generated (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--maps", paramLabel = "<n>", defaultValue = "16",
      description = "Tasks of the map stage (default: ${DEFAULT-VALUE}).")
  int maps;

  @Option(names = "--reduces", paramLabel = "<n>", defaultValue = "16",
      description = "Partitions of the skewed stage (default: ${DEFAULT-VALUE}).")
  int reduces;

  @Option(names = "--skew", paramLabel = "<share>", defaultValue = "0.8",
      description = "Share of the records in the skewed partition (default: ${DEFAULT-VALUE}).")
  double skew;

  @Option(names = "--map-rounds", paramLabel = "<n>", defaultValue = "2000",
      description = "Work per record in the map stage (default: ${DEFAULT-VALUE}).")
  int mapRounds;

  @Option(names = "--rounds", paramLabel = "<n>", defaultValue = "5000",
      description = "Work per record in the skewed stage (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--seed", paramLabel = "<n>", defaultValue = "1",
      description = "Seed of the generated records (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-executors", paramLabel = "<n>", defaultValue = "4",
      description = "Executors of one core an application may have; the worker offers as many "
          + "cores (default: ${DEFAULT-VALUE}).")
  int maxExecutors;

  @Option(names = "--idle-timeout", paramLabel = "<duration>", defaultValue = "5s",
      description = "spark.dynamicAllocation.executorIdleTimeout (default: ${DEFAULT-VALUE}).")
  String idleTimeout;

  @Option(names = "--executor-memory", paramLabel = "<size>", defaultValue = "1g",
      description = "Heap of each executor (default: ${DEFAULT-VALUE}).")
  String executorMemory;

  @Option(names = "--work-dir", paramLabel = "<dir>", defaultValue = "dovetail-bench-elastic",
      description = "Logs and the report (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--port-base", paramLabel = "<port>", defaultValue = "19320",
      description = "First of five ports on 127.0.0.1: metadata server, two storage servers, "
          + "Spark master, its web UI (default: ${DEFAULT-VALUE}).")
  int portBase;

  @Option(names = "--spark-home", paramLabel = "<dir>",
      description = "A Spark 4.1 (Scala 2.13) runtime (default: the distribution's spark/).")
  Path sparkHome;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ElasticSettings settings = settings();
    if (!new ElasticBench(settings, new Progress(spec.commandLine().getOut())).run()) {
      throw new CommandFailedException("the runs' results are wrong (see PROBLEM above)");
    }
    return 0;
  }

  ElasticSettings settings() {
    try {
      List<ElasticCase> chosen = new ArrayList<>();
      for (String c : cases) {
        ElasticCase ec = ElasticCase.of(c.trim());
        if (chosen.contains(ec)) {
          throw new IllegalArgumentException("--cases names " + c + " twice");
        }
        chosen.add(ec);
      }
      return new ElasticSettings(workDir, portBase, sparkHome, executorMemory, maxExecutors,
          idleTimeout, repetitions, chosen, new ElasticSettings.Job(records, maps, reduces, skew,
              mapRounds, rounds, seed));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
