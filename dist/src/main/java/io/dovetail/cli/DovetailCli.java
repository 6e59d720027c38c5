package io.dovetail.cli;

import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code dovetail} command. {@code bin/dovetail} runs {@link #main} with the distribution's
 * class path, configuration directory ({@code -Ddovetail.conf.dir}) and logging configuration.
 *
 * <pre>
 * dovetail metadata-server [--conf-file f] [-c key=value]... [--port-file f]
 * dovetail storage-server  [--conf-file f] [-c key=value]... [--port-file f]
 * dovetail status [--metadata host:port] [--json]
 * dovetail drain  [--metadata host:port] [--wait] host:port
 * dovetail demo   [--size 1g] [--work-dir dir] [--keep] ...
 * dovetail bench terasort [--sizes 1g,2g] [--runs 3] [--work-dir dir] ...
 * dovetail bench elastic [--repetitions n] [--cases c,...] ...
 * </pre>
 *
 * Not thread-safe; one command per process (tests call {@link #execute} once per instance).
 */
@Command(name = "dovetail", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = "Dovetail, a disaggregated shuffle store for Apache Spark.",
    subcommands = {MetadataServerCommand.class, StorageServerCommand.class, StatusCommand.class,
        DrainCommand.class, UndrainCommand.class, DemoCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class DovetailCli implements Runnable {
  /** Exit status when the work failed (as opposed to a bad command line, which is 2). */
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
  private static final Set<String> SERVERS = Set.of("metadata-server", "storage-server");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  public static void main(String[] args) {
    // Servers log at info, the other commands only warnings (their output is the point). Must be
    // set before the first logger is created.
    boolean server = args.length > 0 && SERVERS.contains(args[0]);
    if (System.getProperty("dovetail.log.level") == null) {
      System.setProperty("dovetail.log.level", server ? "info" : "warn");
    }
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        args);
    // After SIGTERM a server returns 0 while shutdown hooks run; System.exit would then block.
    if (code != 0 || !shuttingDown()) {
      System.exit(code);
    }
  }

  /** Runs one command line with the given output streams; returns its exit status. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new DovetailCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CommandFailedException) {
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        cmd.getErr().flush();
        return EXIT_FAILED;
      }
      throw e;
    });
    return cli.execute(args);
  }

  private static boolean shuttingDown() {
    try {
      Thread probe = new Thread(() -> { }, "dovetail-shutdown-probe");
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** The version of this build, from the jar manifest. Stateless. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DovetailCli.class.getPackage().getImplementationVersion();
      return new String[] {"Dovetail " + (v == null ? "(development build)" : v)};
    }
  }
}
