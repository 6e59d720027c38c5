package io.dovetail.cli;

/** Lets tests in other packages run the command line in-process. */
public final class CliRunAccess {
  private CliRunAccess() {}

  /** Exit status and output of one run. */
  public record Result(int status, String out, String err) {}

  public static Result run(String... args) {
    CliRun r = CliRun.of(args);
    return new Result(r.status(), r.out(), r.err());
  }
}
