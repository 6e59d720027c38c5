package io.dovetail.common;

import java.util.Objects;

/** A failure with an {@link ErrorCode}. Unchecked; thread-safe (immutable). */
public class DovetailException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public DovetailException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code);
  }

  public DovetailException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code);
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code + ": " + super.getMessage();
  }

  /** The error code of {@code t} if it, or a cause, is a DovetailException; otherwise INTERNAL. */
  public static ErrorCode codeOf(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DovetailException de) {
        return de.code();
      }
    }
    return ErrorCode.INTERNAL;
  }
}
