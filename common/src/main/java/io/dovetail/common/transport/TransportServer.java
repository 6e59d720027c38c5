package io.dovetail.common.transport;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.FrameDecoder;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.FrameException;
import io.dovetail.common.protocol.HelloRequest;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.StatusResponse;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data-plane server: binds a port, frames and authenticates connections, and hands decoded
 * requests to a {@link RequestHandler}. A bad frame closes only its own connection, with a logged
 * reason. Thread-safe; {@link #close()} is idempotent.
 */
public final class TransportServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TransportServer.class);
  private static final AttributeKey<Boolean> AUTHENTICATED = AttributeKey.valueOf("dvt.auth");

  private final String name;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final boolean epoll;
  private final long stallTimeoutMs;

  /**
   * @param name names threads and log lines
   * @param threads event-loop threads, 0 for the number of cores
   */
  public TransportServer(String name, DovetailConf conf, String bindHost, int port, int threads,
      FrameAdmission admission, RequestHandler handler) {
    this.name = name;
    this.epoll = NettyUtils.useEpoll(conf.get(CommonConfig.IO_MODE));
    int maxFrame = (int) (long) conf.get(CommonConfig.MAX_FRAME_SIZE);
    byte[] secret = conf.get(CommonConfig.AUTH_SECRET).getBytes(StandardCharsets.UTF_8);
    Duration stallTimeout = conf.get(CommonConfig.REQUEST_TIMEOUT);
    this.stallTimeoutMs = stallTimeout.toMillis();
    Tls tls = Tls.fromConf(conf, true);
    SslContext ssl = tls == null ? null : tls.serverContext();
    this.boss = NettyUtils.eventLoop(epoll, 1, name + "-accept");
    this.workers = NettyUtils.eventLoop(epoll, threads, name + "-io");
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NettyUtils.serverChannelClass(epoll))
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            // A peer that stops reading (frozen, or hostile) would keep what is written to it,
            // chunks of partition buffers included, for as long as its connection lives.
            ch.pipeline().addLast("stalledReader", new StalledReaderCheck(stallTimeoutMs));
            if (ssl != null) {
              ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()))
                  .addLast("chunkedWriter", new ChunkedWriteHandler())
                  .addLast("fileRegions", FileRegionReader.INSTANCE);
            }
            ch.pipeline()
                .addLast("frameDecoder", FrameDecoder.forServer(maxFrame, admission,
                    secret.length == 0 ? null : c -> c.attr(AUTHENTICATED).get() != null,
                    stallTimeout))
                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                .addLast("dispatcher", new Dispatcher(handler, admission, secret));
          }
        });
    try {
      this.serverChannel = b.bind(new InetSocketAddress(bindHost, port)).syncUninterruptibly()
          .channel();
    } catch (RuntimeException e) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    LOG.info("{} listening on {} ({}{})", name, serverChannel.localAddress(),
        epoll ? "epoll" : "nio", ssl == null ? "" : ", TLS");
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public boolean usesEpoll() {
    return epoll;
  }

  /** Number of open client connections. */
  public int connectionCount() {
    return channels.size();
  }

  @Override
  public void close() {
    if (serverChannel.isOpen()) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * Closes a connection whose pending answers made no progress for {@code timeoutMs}: the peer
   * took nothing of them (a peer reading slowly makes progress and stays).
   */
  private final class StalledReaderCheck extends IdleStateHandler {
    private final long timeoutMs;

    StalledReaderCheck(long timeoutMs) {
      super(true, 0, timeoutMs, 0, TimeUnit.MILLISECONDS);
      this.timeoutMs = timeoutMs;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
      if (evt.state() != IdleState.WRITER_IDLE) {
        return;
      }
      ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
      // Counted as messages too: a file region's bytes are not counted as pending bytes.
      if (out != null && (out.size() > 0 || out.totalPendingWriteBytes() > 0)) {
        LOG.warn("{}: closing connection from {}: it took nothing of its answers for {} ms",
            name, NettyUtils.remote(ctx.channel()), timeoutMs);
        ctx.close();
      }
    }
  }

  /** Authenticates, dispatches requests, and turns bad frames into a logged close. */
  private final class Dispatcher extends ChannelInboundHandlerAdapter {
    private final long closeGraceMs = stallTimeoutMs;
    private final RequestHandler handler;
    private final FrameAdmission admission;
    private final byte[] secret;

    Dispatcher(RequestHandler handler, FrameAdmission admission, byte[] secret) {
      this.handler = handler;
      this.admission = admission;
      this.secret = secret;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Message m = (Message) msg;
      Channel ch = ctx.channel();
      if (m instanceof HelloRequest hello) {
        admission.release(m.admittedBytes()); // decoded: a large HELLO was admitted whole
        boolean ok = secret.length == 0 || MessageDigest.isEqual(secret,
            hello.secret().getBytes(StandardCharsets.UTF_8));
        if (ok) {
          ch.attr(AUTHENTICATED).set(Boolean.TRUE);
          ch.writeAndFlush(StatusResponse.ok(m.requestId()));
        } else {
          LOG.warn("{}: closing connection from {}: wrong credentials from client '{}'", name,
              NettyUtils.remote(ch), hello.clientName());
          ch.writeAndFlush(StatusResponse.error(m.requestId(), ErrorCode.AUTH_FAILED,
              "wrong credentials")).addListener(ChannelFutureListener.CLOSE);
        }
        return;
      }
      if (secret.length > 0 && ch.attr(AUTHENTICATED).get() == null) {
        LOG.warn("{}: closing connection from {}: {} before authentication", name,
            NettyUtils.remote(ch), m.type());
        m.release();
        // The message never reaches the handler, so its memory admission is given back here.
        admission.release(m.admittedBytes());
        ch.writeAndFlush(StatusResponse.error(m.requestId(), ErrorCode.AUTH_FAILED,
            "authenticate with HELLO first")).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      try {
        handler.handle(ch, m);
      } catch (RuntimeException e) {
        LOG.error("{}: failed to handle {} from {}", name, m, NettyUtils.remote(ch), e);
        ch.writeAndFlush(StatusResponse.error(m.requestId(), ErrorCode.INTERNAL, e.toString()));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      try {
        handler.channelClosed(ctx.channel());
      } finally {
        super.channelInactive(ctx);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Channel ch = ctx.channel();
      Throwable root = cause.getCause() instanceof FrameException ? cause.getCause() : cause;
      if (root instanceof FrameException fe) {
        LOG.warn("{}: closing connection from {}: {}", name, NettyUtils.remote(ch),
            fe.getMessage());
        if (ch.isActive()) {
          ch.writeAndFlush(StatusResponse.error(0, fe.code(), fe.getMessage()))
              .addListener(ChannelFutureListener.CLOSE);
          // A peer that does not read (frozen, or hostile) never lets that write complete; a
          // slow reader gets the request timeout to take what was sent before it.
          ch.eventLoop().schedule(() -> {
            ch.close();
          }, closeGraceMs, TimeUnit.MILLISECONDS);
        }
      } else if (root instanceof IOException) {
        LOG.debug("{}: connection from {} failed: {}", name, NettyUtils.remote(ch), root.toString());
        ch.close();
      } else {
        LOG.warn("{}: closing connection from {} after an error", name, NettyUtils.remote(ch),
            cause);
        ch.close();
      }
    }
  }
}
