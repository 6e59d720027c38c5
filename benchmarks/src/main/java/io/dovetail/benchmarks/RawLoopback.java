package io.dovetail.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.dovetail.common.transport.NettyUtils;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: plain Netty on loopback with the same I/O mode, frame sizes and in-flight window
 * as the store, doing nothing with the bytes. Push: the client sends frames, the server answers
 * each with a tiny ack. Read: the client asks for a frame, the server answers with one.
 */
final class RawLoopback implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel server;
  private final Channel client;
  private final Semaphore window;
  private final int windowFrames;
  private volatile CountDownLatch done;
  private final boolean epoll;

  RawLoopback(int maxFrame, int windowFrames) throws InterruptedException {
    this.epoll = NettyUtils.useEpoll("AUTO");
    this.group = NettyUtils.eventLoop(epoll, 2, "raw-loopback");
    this.windowFrames = windowFrames;
    this.window = new Semaphore(windowFrames);
    server = new ServerBootstrap().group(group).channel(NettyUtils.serverChannelClass(epoll))
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(maxFrame + 16, 0, 4, 0, 4))
                .addLast(new LengthFieldPrepender(4))
                .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    int ask = msg.readableBytes() == 8 ? msg.getInt(4) : 0;
                    if (ask > 0) {
                      ByteBuf reply = ctx.alloc().directBuffer(ask);
                      reply.writerIndex(ask);
                      ctx.writeAndFlush(reply);
                    } else {
                      ctx.writeAndFlush(ctx.alloc().directBuffer(8).writeLong(1));
                    }
                  }
                });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    client = new Bootstrap().group(group).channel(NettyUtils.clientChannelClass(epoll))
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(maxFrame + 16, 0, 4, 0, 4))
                .addLast(new LengthFieldPrepender(4))
                .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    window.release();
                    done.countDown();
                  }
                });
          }
        }).connect(server.localAddress()).sync().channel();
  }

  boolean epoll() {
    return epoll;
  }

  /** Sends {@code frames} frames of {@code size} bytes; returns bytes per second. */
  double push(int frames, int size) throws InterruptedException {
    done = new CountDownLatch(frames);
    long start = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      window.acquire();
      ByteBuf b = client.alloc().directBuffer(size);
      b.writerIndex(size);
      client.writeAndFlush(b);
    }
    done.await(10, TimeUnit.MINUTES);
    return (double) frames * size / ((System.nanoTime() - start) / 1e9);
  }

  /** Asks for {@code frames} frames of {@code size} bytes; returns bytes per second. */
  double read(int frames, int size) throws InterruptedException {
    done = new CountDownLatch(frames);
    long start = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      window.acquire();
      client.writeAndFlush(client.alloc().directBuffer(8).writeInt(0).writeInt(size));
    }
    done.await(10, TimeUnit.MINUTES);
    return (double) frames * size / ((System.nanoTime() - start) / 1e9);
  }

  @Override
  public void close() {
    client.close();
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  int windowFrames() {
    return windowFrames;
  }
}
