package io.dovetail.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dovetail bench}: benchmarks on a local cluster; only a parent of its subcommands. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = "Benchmarks on a local cluster of real processes.",
    subcommands = {ElasticCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing benchmark (elastic)");
  }
}
