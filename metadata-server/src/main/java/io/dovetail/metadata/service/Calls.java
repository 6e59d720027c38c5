package io.dovetail.metadata.service;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.rpc.GrpcErrors;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one unary call: answers with the result, or with the error's status and its error code in
 * the trailer. Every exception is caught here, so no call can kill a gRPC thread or leave a
 * caller waiting. Caller mistakes are logged at debug, a lack of storage servers or of index
 * memory at warn, the server's own failures at error with their stack. Stateless and thread-safe.
 */
final class Calls {
  private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

  private Calls() {}

  static <T> void unary(String method, StreamObserver<T> out, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (DovetailException e) {
      ErrorCode code = e.code();
      if (code == ErrorCode.INTERNAL || code == ErrorCode.STORAGE_IO_ERROR) {
        LOG.error("{} failed", method, e);
      } else if (code == ErrorCode.NOT_ENOUGH_SERVERS || code == ErrorCode.RESOURCE_EXHAUSTED) {
        LOG.warn("{} refused: {}", method, e.getMessage()); // an operator should know
      } else {
        LOG.debug("{} refused: {}", method, e.getMessage());
      }
      out.onError(GrpcErrors.toStatus(e));
      return;
    } catch (RuntimeException e) {
      LOG.error("{} failed unexpectedly", method, e);
      out.onError(GrpcErrors.toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
