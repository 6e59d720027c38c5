package io.dovetail.common.transport;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.FrameDecoder;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.HelloRequest;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.util.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and pools {@link TransportClient}s: {@code dovetail.transport.connectionsPerPeer}
 * connections per peer, each opened on first use (with the HELLO handshake) and replaced when it
 * closes. Thread-safe.
 */
public final class TransportClientFactory implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(TransportClientFactory.class);
  private final String clientName;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final int connectionsPerPeer;
  private final long connectTimeoutMs;
  private final long requestTimeoutMs;
  private final String secret;
  private final ReceivePool receivePool;
  private final int maxFrame;
  private final SslContext ssl;
  private final long failFastNanos;
  /** The last failed connect to each peer, until one succeeds or the window passes. */
  private final ConcurrentHashMap<HostPort, Failure> failures = new ConcurrentHashMap<>();

  private record Failure(long atNanos, DovetailException cause) {}
  private final ConcurrentHashMap<HostPort, AtomicReferenceArray<TransportClient>> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Failed connects remembered before expired ones are swept out. */
  private static final int MAX_REMEMBERED_FAILURES = 1024;

  public TransportClientFactory(String clientName, DovetailConf conf) {
    this.clientName = clientName;
    boolean epoll = NettyUtils.useEpoll(conf.get(CommonConfig.IO_MODE));
    this.group = NettyUtils.eventLoop(epoll, conf.get(CommonConfig.CLIENT_THREADS),
        clientName + "-client");
    this.connectionsPerPeer = conf.get(CommonConfig.CONNECTIONS_PER_PEER);
    this.connectTimeoutMs = conf.get(CommonConfig.CONNECT_TIMEOUT).toMillis();
    this.requestTimeoutMs = conf.get(CommonConfig.REQUEST_TIMEOUT).toMillis();
    this.failFastNanos = conf.get(CommonConfig.CONNECT_FAIL_FAST).toNanos();
    this.secret = conf.get(CommonConfig.AUTH_SECRET);
    int maxFrame = (int) (long) conf.get(CommonConfig.MAX_FRAME_SIZE);
    this.receivePool = new ReceivePool(conf.get(CommonConfig.RECEIVE_POOL));
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NettyUtils.clientChannelClass(epoll))
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMs);
    this.maxFrame = maxFrame;
    Tls tls = Tls.fromConf(conf, false);
    this.ssl = tls == null ? null : tls.clientContext();
  }

  /** The pipeline of a connection to {@code peer}: TLS checks the peer's name, so per peer. */
  private ChannelInitializer<SocketChannel> initializer(HostPort peer) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        if (ssl != null) {
          ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), peer.host(), peer.port()));
        }
        ch.pipeline()
            .addLast("frameDecoder", new FrameDecoder(maxFrame, FrameAdmission.NONE, receivePool))
            .addLast("frameEncoder", FrameEncoder.INSTANCE);
      }
    };
  }

  /**
   * A connected, authenticated client to {@code peer}; fails with CONNECTION_FAILED (or
   * AUTH_FAILED) when none can be made.
   */
  public TransportClient client(HostPort peer) {
    if (closed) {
      throw new DovetailException(ErrorCode.CONNECTION_FAILED, "client factory is closed");
    }
    AtomicReferenceArray<TransportClient> pool =
        pools.computeIfAbsent(peer, p -> new AtomicReferenceArray<>(connectionsPerPeer));
    int slot = ThreadLocalRandom.current().nextInt(pool.length());
    TransportClient c = pool.get(slot);
    if (c != null && c.isActive()) {
      return c;
    }
    synchronized (pool) {
      c = pool.get(slot);
      if (c != null && c.isActive()) {
        return c;
      }
      try {
        c = connect(peer);
      } catch (DovetailException e) {
        // One failed connect (or its fail-fast window) says nothing against a connection to the
        // same peer that answered just now: use it rather than fail the caller, who would
        // reroute. Not one that has been silent: open but half-dead (host gone, process frozen),
        // it would hold every request for the request timeout.
        TransportClient alive = heardFrom(pool, TimeUnit.MILLISECONDS.toNanos(connectTimeoutMs));
        if (alive != null) {
          LOG.debug("Using a live connection to {}: {}", peer, e.getMessage());
          return alive;
        }
        if (isEmpty(pool)) {
          // Peers that never answered leave nothing behind (replica addresses come from
          // requests: they must not grow the map without bound).
          pools.remove(peer, pool);
        }
        throw e;
      }
      pool.set(slot, c);
    }
    if (pools.get(peer) != pool) {
      // closeClients (or a failed connect) removed the pool while this connect ran: pool the
      // new connection where later callers, and the next closeClients, will find it.
      pool.set(slot, null);
      c = adopt(peer, slot, c);
    }
    if (closed) {
      c.close();
      throw new DovetailException(ErrorCode.CONNECTION_FAILED, "client factory is closed");
    }
    return c;
  }

  /** Puts {@code c} in the pool now registered for {@code peer}, or returns the one there. */
  private TransportClient adopt(HostPort peer, int slot, TransportClient c) {
    AtomicReferenceArray<TransportClient> current =
        pools.computeIfAbsent(peer, p -> new AtomicReferenceArray<>(connectionsPerPeer));
    synchronized (current) {
      TransportClient there = current.get(slot);
      if (there != null && there.isActive()) {
        c.close();
        return there;
      }
      current.set(slot, c);
      return c;
    }
  }

  private static boolean isEmpty(AtomicReferenceArray<TransportClient> pool) {
    for (int i = 0; i < pool.length(); i++) {
      if (pool.get(i) != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * How long connects to {@code peer} still fail at once because one failed
   * ({@code dovetail.transport.connectFailFast}); 0 when the next connect is tried.
   */
  public long failFastRemainingNanos(HostPort peer) {
    Failure last = failures.get(peer);
    return last == null ? 0 : Math.max(0, failFastNanos - (System.nanoTime() - last.atNanos));
  }

  /** An open connection of {@code pool} that received something within {@code withinNanos}. */
  private static TransportClient heardFrom(AtomicReferenceArray<TransportClient> pool,
      long withinNanos) {
    for (int i = 0; i < pool.length(); i++) {
      TransportClient c = pool.get(i);
      if (c != null && c.isActive() && c.nanosSinceLastRead() < withinNanos) {
        return c;
      }
    }
    return null;
  }

  /** A pooled connection to {@code peer} that is open now, or null (never connects). */
  public TransportClient connected(HostPort peer) {
    AtomicReferenceArray<TransportClient> pool = pools.get(peer);
    if (pool == null) {
      return null;
    }
    for (int i = 0; i < pool.length(); i++) {
      TransportClient c = pool.get(i);
      if (c != null && c.isActive()) {
        return c;
      }
    }
    return null;
  }

  /**
   * A new, unpooled connection; the caller closes it. Within {@code dovetail.transport
   * .connectFailFast} of a failed connect to {@code peer}, fails at once with that failure.
   */
  public TransportClient connect(HostPort peer) {
    Failure last = failures.get(peer);
    if (last != null) {
      long ago = System.nanoTime() - last.atNanos;
      if (ago < failFastNanos) {
        throw new DovetailException(last.cause.code(), "not connecting to " + peer + ": a connect "
            + TimeUnit.NANOSECONDS.toMillis(ago) + " ms ago failed: " + last.cause.getMessage(),
            last.cause);
      }
      failures.remove(peer, last);
    }
    try {
      TransportClient c = open(peer);
      failures.remove(peer);
      return c;
    } catch (DovetailException e) {
      if (failFastNanos > 0 && e.code() == ErrorCode.CONNECTION_FAILED) {
        long now = System.nanoTime();
        if (failures.size() >= MAX_REMEMBERED_FAILURES) {
          failures.values().removeIf(f -> now - f.atNanos >= failFastNanos);
        }
        failures.put(peer, new Failure(now, e));
      }
      throw e;
    }
  }

  private TransportClient open(HostPort peer) {
    ChannelFuture f = bootstrap.clone().handler(initializer(peer))
        .connect(new InetSocketAddress(peer.host(), peer.port()));
    if (!f.awaitUninterruptibly(connectTimeoutMs + 1000, TimeUnit.MILLISECONDS)) {
      f.channel().close();
      throw new DovetailException(ErrorCode.CONNECTION_FAILED,
          "timed out connecting to " + peer);
    }
    if (!f.isSuccess()) {
      throw new DovetailException(ErrorCode.CONNECTION_FAILED,
          "cannot connect to " + peer + ": " + f.cause(), f.cause());
    }
    Channel ch = f.channel();
    SslHandler tlsHandler = ch.pipeline().get(SslHandler.class);
    if (tlsHandler != null) {
      var handshake = tlsHandler.handshakeFuture();
      if (!handshake.awaitUninterruptibly(connectTimeoutMs, TimeUnit.MILLISECONDS)
          || !handshake.isSuccess()) {
        ch.close();
        Throwable cause = handshake.cause();
        // A certificate we do not accept is configuration: fail. Anything else (the peer
        // closed or froze mid-handshake) is the peer's state, as a failed connect is.
        ErrorCode code = certificateProblem(cause) ? ErrorCode.AUTH_FAILED
            : ErrorCode.CONNECTION_FAILED;
        throw new DovetailException(code, "TLS handshake with " + peer + " failed: "
            + (cause == null ? "timed out" : cause.toString()), cause);
      }
    }
    TransportClient client = new TransportClient(ch, peer, requestTimeoutMs);
    try {
      hello(client, peer);
    } catch (DovetailException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /**
   * Authenticates, waiting at most the connect timeout: a peer that accepts connections but does
   * not answer (frozen, its event loop wedged) is a failed connect, recorded for fail-fast, not a
   * request timeout that every later connect would wait out again.
   */
  private void hello(TransportClient client, HostPort peer) {
    CompletableFuture<Message> answer = client.request(new HelloRequest(clientName, secret));
    try {
      answer.get(connectTimeoutMs, TimeUnit.MILLISECONDS).release();
    } catch (TimeoutException e) {
      throw new DovetailException(ErrorCode.CONNECTION_FAILED, peer + " accepted a connection "
          + "but did not answer its HELLO within " + connectTimeoutMs + " ms");
    } catch (InterruptedException e) {
      // The caller's state, not the peer's: not a failed connect that fail-fast would remember.
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted connecting to " + peer, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof DovetailException de) {
        throw new DovetailException(de.code(), c.getMessage(), c);
      }
      throw new DovetailException(ErrorCode.INTERNAL, String.valueOf(c), c);
    }
  }

  /** A certificate we reject, or a peer that does not speak TLS: configuration, not state. */
  private static boolean certificateProblem(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.security.cert.CertificateException
          || c instanceof io.netty.handler.ssl.NotSslRecordException) {
        return true;
      }
    }
    return false;
  }

  /** Peers with a pool now (for tests and diagnostics). */
  public java.util.Set<HostPort> pooledPeers() {
    return java.util.Set.copyOf(pools.keySet());
  }

  /** Closes every pooled connection to {@code peer} (after it failed or restarted). */
  public void closeClients(HostPort peer) {
    AtomicReferenceArray<TransportClient> pool = pools.remove(peer);
    if (pool != null) {
      for (int i = 0; i < pool.length(); i++) {
        TransportClient c = pool.getAndSet(i, null);
        if (c != null) {
          c.close();
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (HostPort peer : pools.keySet()) {
      closeClients(peer);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    receivePool.close();
  }

  /** Where the bodies of received chunks go. */
  public ReceivePool receivePool() {
    return receivePool;
  }
}
