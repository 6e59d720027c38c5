package io.dovetail.common.rpc;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Maps {@link ErrorCode}s to gRPC statuses and back. The exact code travels in the trailer
 * {@code dovetail-error-code}; the gRPC status code is the nearest standard one, for generic tools.
 */
public final class GrpcErrors {
  public static final Metadata.Key<String> ERROR_CODE_KEY =
      Metadata.Key.of("dovetail-error-code", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcErrors() {}

  public static StatusRuntimeException toStatus(ErrorCode code, String message) {
    Metadata trailers = new Metadata();
    trailers.put(ERROR_CODE_KEY, Integer.toString(code.code()));
    return grpcStatus(code).withDescription(code + ": " + message).asRuntimeException(trailers);
  }

  /** The status for any throwable a service method raised. */
  public static StatusRuntimeException toStatus(Throwable t) {
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (t instanceof DovetailException de) {
      return toStatus(de.code(), String.valueOf(de.getCause() == null
          ? stripCode(de) : stripCode(de) + " (" + de.getCause() + ")"));
    }
    if (t instanceof IllegalArgumentException) {
      return toStatus(ErrorCode.INVALID_ARGUMENT, String.valueOf(t.getMessage()));
    }
    return toStatus(ErrorCode.INTERNAL, t.toString());
  }

  private static String stripCode(DovetailException de) {
    String m = de.getMessage();
    String prefix = de.code() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /** A {@link DovetailException} for a failed call, from its trailer or its status code. */
  public static DovetailException fromStatus(StatusRuntimeException e) {
    Metadata trailers = e.getTrailers();
    String text = trailers == null ? null : trailers.get(ERROR_CODE_KEY);
    String description = e.getStatus().getDescription();
    if (text != null) {
      ErrorCode code = ErrorCode.fromCode(Integer.parseInt(text));
      String msg = description != null && description.startsWith(code + ": ")
          ? description.substring(code.toString().length() + 2) : String.valueOf(description);
      return new DovetailException(code, msg, e);
    }
    ErrorCode code = switch (e.getStatus().getCode()) {
      case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> ErrorCode.TIMEOUT;
      case UNAUTHENTICATED, PERMISSION_DENIED -> ErrorCode.AUTH_FAILED;
      case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
      default -> ErrorCode.INTERNAL;
    };
    return new DovetailException(code, e.getStatus().toString(), e);
  }

  private static Status grpcStatus(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, MALFORMED_FRAME, FRAME_TOO_LARGE, UNSUPPORTED_VERSION ->
          Status.INVALID_ARGUMENT;
      case UNKNOWN_APPLICATION, UNKNOWN_SHUFFLE, UNKNOWN_PARTITION, UNKNOWN_SERVER,
          UNKNOWN_STREAM -> Status.NOT_FOUND;
      case SHUFFLE_CONFLICT -> Status.ALREADY_EXISTS;
      case AUTH_FAILED -> Status.UNAUTHENTICATED;
      case NOT_ENOUGH_SERVERS, UNAVAILABLE, SERVER_BUSY -> Status.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case TIMEOUT -> Status.DEADLINE_EXCEEDED;
      case MAPS_NOT_COMMITTED, STALE_INCARNATION, PARTITION_SEALED -> Status.FAILED_PRECONDITION;
      case DATA_LOST, INTEGRITY_MISMATCH -> Status.DATA_LOSS;
      default -> Status.INTERNAL;
    };
  }
}
