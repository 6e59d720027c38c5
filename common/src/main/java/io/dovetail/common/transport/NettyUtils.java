package io.dovetail.common.transport;

import io.dovetail.common.util.Threads;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses native epoll or NIO, and builds event loops and channel classes to match. */
public final class NettyUtils {
  private static final Logger LOG = LoggerFactory.getLogger(NettyUtils.class);

  private NettyUtils() {}

  /** True when {@code ioMode} (AUTO, EPOLL, NIO) resolves to native epoll on this machine. */
  public static boolean useEpoll(String ioMode) {
    switch (ioMode) {
      case "NIO":
        return false;
      case "EPOLL":
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException("EPOLL requested but unavailable",
              Epoll.unavailabilityCause());
        }
        return true;
      default:
        return Epoll.isAvailable();
    }
  }

  public static EventLoopGroup eventLoop(boolean epoll, int threads, String threadPrefix) {
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    LOG.debug("{} event loop with {} threads ({})", threadPrefix, n, epoll ? "epoll" : "nio");
    return new MultiThreadIoEventLoopGroup(n, Threads.named(threadPrefix), factory);
  }

  public static Class<? extends ServerChannel> serverChannelClass(boolean epoll) {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends Channel> clientChannelClass(boolean epoll) {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** "host:port" of the remote end of {@code ch}, for logs. */
  public static String remote(Channel ch) {
    return ch == null || ch.remoteAddress() == null ? "?" : ch.remoteAddress().toString();
  }
}
