package io.dovetail.cli;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.rpc.GrpcErrors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** One line on a failed control-plane call, for operators. Stateless. */
final class RpcFailures {
  private RpcFailures() {}

  /**
   * The Dovetail error and its message when the server answered; otherwise the transport's
   * reason in a few words ("connection refused"), never a stack trace.
   */
  static String describe(StatusRuntimeException e) {
    DovetailException de = GrpcErrors.fromStatus(e);
    if (e.getTrailers() != null && e.getTrailers().containsKey(GrpcErrors.ERROR_CODE_KEY)) {
      return de.getMessage();
    }
    Status status = e.getStatus();
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null) {
      root = root.getCause();
    }
    String reason = root != null && root.getMessage() != null ? root.getMessage()
        : status.getDescription() != null ? status.getDescription() : status.getCode().name();
    if (de.code() == ErrorCode.UNAVAILABLE) {
      return "unreachable (" + shorten(reason) + ")";
    }
    return de.code() + " (" + shorten(reason) + ")";
  }

  private static String shorten(String reason) {
    String r = reason.replace("finishConnect(..) failed: ", "");
    int nl = r.indexOf('\n');
    return nl < 0 ? r : r.substring(0, nl);
  }
}
