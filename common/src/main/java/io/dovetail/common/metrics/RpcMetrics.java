package io.dovetail.common.metrics;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.rpc.GrpcErrors;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Counts a gRPC server's calls: {@code dovetail_rpc_calls_total{method, code}}, where code is the
 * Dovetail error code a refusal carries (NONE for success, the gRPC status otherwise), and
 * {@code dovetail_rpc_duration_seconds{method}}. Method is the short name (CommitMap). Calls
 * refused before they reach it (wrong credentials) are counted too when it is the outermost
 * interceptor. Thread-safe.
 */
public final class RpcMetrics implements ServerInterceptor {
  private final Counter calls;
  private final Histogram duration;

  public RpcMetrics(PrometheusRegistry registry) {
    calls = Counter.builder().name("dovetail_rpc_calls_total")
        .help("Control-plane calls served, by method and outcome (NONE: success; otherwise the "
            + "error code answered).")
        .labelNames("method", "code").register(registry);
    duration = Histogram.builder().name("dovetail_rpc_duration_seconds").unit(Unit.SECONDS)
        .help("Time from a control-plane call's start to its answer.")
        .labelNames("method").classicOnly().withoutExemplars().register(registry);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    String name = method == null ? call.getMethodDescriptor().getFullMethodName() : method;
    long start = System.nanoTime();
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        calls.labelValues(name, outcome(status, trailers)).inc();
        duration.labelValues(name).observe((System.nanoTime() - start) / 1e9);
        super.close(status, trailers);
      }
    }, headers);
  }

  private static String outcome(Status status, Metadata trailers) {
    if (status.isOk()) {
      return "NONE";
    }
    String code = trailers == null ? null : trailers.get(GrpcErrors.ERROR_CODE_KEY);
    if (code != null) {
      try {
        return ErrorCode.fromCode(Integer.parseInt(code)).name();
      } catch (RuntimeException e) {
        // not one of ours: fall back to the gRPC status
      }
    }
    return status.getCode().name();
  }
}
