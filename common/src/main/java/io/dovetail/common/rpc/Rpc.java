package io.dovetail.common.rpc;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.transport.Tls;
import io.dovetail.common.util.HostPort;
import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds gRPC channels and servers the Dovetail way, and retries calls through outages. */
public final class Rpc {
  private static final Logger LOG = LoggerFactory.getLogger(Rpc.class);
  /** Large enough for the layout of a 100,000-partition shuffle. */
  public static final int MAX_MESSAGE_BYTES = 256 << 20;

  private Rpc() {}

  /**
   * A channel to {@code target} that presents the configured secret, over TLS when
   * {@code dovetail.tls.enabled} (checking the server's certificate and name).
   */
  public static ManagedChannel channel(HostPort target, DovetailConf conf) {
    Tls tls = Tls.fromConf(conf, false);
    ChannelCredentials credentials = tls == null ? InsecureChannelCredentials.create()
        : TlsChannelCredentials.newBuilder()
            .trustManager(tls.trustManagers().getTrustManagers()).build();
    return Grpc.newChannelBuilderForAddress(target.host(), target.port(), credentials)
        .intercept(AuthInterceptors.client(conf.get(CommonConfig.AUTH_SECRET)))
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .build();
  }

  /** Starts a server on {@code host:port} (port 0 picks a free one) with auth on every service. */
  public static Server startServer(String host, int port, DovetailConf conf, Executor executor,
      BindableService... services) throws IOException {
    return startServer(host, port, conf, executor, null, services);
  }

  /**
   * As above, with {@code outer} (null for none) around the auth check of every service, so it
   * sees every call, refused ones included.
   */
  public static Server startServer(String host, int port, DovetailConf conf, Executor executor,
      ServerInterceptor outer, BindableService... services) throws IOException {
    Tls tls = Tls.fromConf(conf, true);
    ServerCredentials credentials = tls == null ? InsecureServerCredentials.create()
        : TlsServerCredentials.newBuilder()
            .keyManager(tls.keyManagers().getKeyManagers()).build();
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port),
            credentials)
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .executor(executor);
    var auth = AuthInterceptors.server(conf.get(CommonConfig.AUTH_SECRET));
    for (BindableService s : services) {
      // The last interceptor given runs first.
      b.addService(outer == null ? ServerInterceptors.intercept(s, auth)
          : ServerInterceptors.intercept(s, auth, outer));
    }
    return b.build().start();
  }

  /**
   * Runs {@code call} on {@code channel}, retrying with backoff while it fails with a retriable
   * error (metadata server unreachable, NOT_ENOUGH_SERVERS, TIMEOUT) for at most
   * {@code dovetail.rpc.retryWait}. While the server is unreachable each retry first resets the
   * channel's reconnect backoff: gRPC's own backoff grows to two minutes while a server is away,
   * and until it runs out calls fail at once, even when the server is back. gRPC failures surface
   * as {@link DovetailException}.
   */
  public static <T> T withRetries(DovetailConf conf, String what, ManagedChannel channel,
      Supplier<T> call) {
    long deadline = System.currentTimeMillis() + conf.get(CommonConfig.RPC_RETRY_WAIT).toMillis();
    long backoff = 100;
    while (true) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        DovetailException de = GrpcErrors.fromStatus(e);
        backoff = retryOrThrow(what, de, deadline, backoff);
      } catch (DovetailException de) {
        backoff = retryOrThrow(what, de, deadline, backoff);
      }
      resetBackoffIfUnreachable(channel);
    }
  }

  /**
   * Makes {@code channel} reconnect at once if it is failing to connect, instead of when gRPC's
   * reconnect backoff runs out. For callers that retry on their own schedule.
   */
  public static void resetBackoffIfUnreachable(ManagedChannel channel) {
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
  }

  private static long retryOrThrow(String what, DovetailException e, long deadline, long backoff) {
    if (!e.code().isRetriable() || System.currentTimeMillis() + backoff > deadline) {
      throw e;
    }
    LOG.info("{} failed ({}); retrying in {} ms", what, e.getMessage(), backoff);
    try {
      Thread.sleep(backoff);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted while retrying " + what, ie);
    }
    return Math.min(backoff * 2, 2000);
  }

  /** Shuts a channel down, waiting briefly. */
  public static void shutdown(ManagedChannel channel) {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(3, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.shutdownNow();
    }
  }
}
