package io.dovetail.common.protocol;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;

/** A frame that cannot be accepted; the connection that sent it is closed. */
public final class FrameException extends DovetailException {
  private static final long serialVersionUID = 1L;

  public FrameException(ErrorCode code, String message) {
    super(code, message);
  }
}
