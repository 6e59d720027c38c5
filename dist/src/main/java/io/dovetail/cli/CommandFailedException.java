package io.dovetail.cli;

/**
 * The command understood its arguments but could not do the work; the message is one sentence
 * for the operator, printed as {@code dovetail <command>: <message>} with exit status 1.
 */
public final class CommandFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommandFailedException(String message) {
    super(message);
  }

  public CommandFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
