package io.dovetail.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dovetail bench}: benchmarks that need the distribution (a local cluster of real
 * processes). Stateless.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = "Benchmarks on a local cluster started from this distribution.",
    subcommands = {TeraSortBenchCommand.class, ElasticCommand.class,
        CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing benchmark");
  }
}
