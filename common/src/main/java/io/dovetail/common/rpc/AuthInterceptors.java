package io.dovetail.common.rpc;

import io.dovetail.common.ErrorCode;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared-secret authentication for gRPC: the client sends it, the server checks it. */
public final class AuthInterceptors {
  private static final Logger LOG = LoggerFactory.getLogger(AuthInterceptors.class);
  static final Metadata.Key<String> SECRET_KEY =
      Metadata.Key.of("dovetail-secret", Metadata.ASCII_STRING_MARSHALLER);

  private AuthInterceptors() {}

  public static ClientInterceptor client(String secret) {
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method,
          CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            if (!secret.isEmpty()) {
              headers.put(SECRET_KEY, secret);
            }
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Rejects calls without the right secret with UNAUTHENTICATED / AUTH_FAILED. */
  public static ServerInterceptor server(String secret) {
    byte[] expected = secret.getBytes(StandardCharsets.UTF_8);
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        if (expected.length > 0) {
          String given = headers.get(SECRET_KEY);
          if (given == null
              || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("Rejected {} from {}: wrong credentials",
                call.getMethodDescriptor().getFullMethodName(),
                call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
            var status = GrpcErrors.toStatus(ErrorCode.AUTH_FAILED, "wrong credentials");
            call.close(status.getStatus(), status.getTrailers());
            return new ServerCall.Listener<>() {};
          }
        }
        return next.startCall(call, headers);
      }
    };
  }
}
