package io.dovetail.benchmarks;

import io.dovetail.common.transport.NettyUtils;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: the fastest plain Netty moves the same messages over loopback, with the same I/O
 * mode, message sizes and in-flight window as the store, and no work on the bytes. Payloads are
 * preallocated (a ring of distinct buffers, so they are not all in cache, like the store's data)
 * and sent as duplicates; receivers only count bytes. Push: the client sends
 * messages, the server acknowledges each with 8 bytes. Read: the client asks for a message (8
 * bytes), the server answers with one. Separate event loops for server and client, as in the store.
 */
final class RawLoopback implements AutoCloseable {
  private final boolean epoll;
  private final EventLoopGroup serverGroup;
  private final EventLoopGroup clientGroup;
  private final Channel server;
  private final Channel client;
  private final Semaphore pushWindow;
  private final Semaphore readWindow;
  private volatile Semaphore window;
  private final ByteBuf[] pushPayloads;
  private final ByteBuf[] readPayloads;
  private final int pushSize;
  private final int readSize;
  private int nextPush;
  private int nextRead;
  private volatile int messageSize;
  private volatile CountDownLatch done;

  /** @param windowBytes bytes in flight at most, in whole messages, as the store's clients */
  RawLoopback(int pushSize, int readSize, long windowBytes) throws InterruptedException {
    this.epoll = NettyUtils.useEpoll("AUTO");
    this.serverGroup = NettyUtils.eventLoop(epoll, 2, "raw-server");
    this.clientGroup = NettyUtils.eventLoop(epoll, 2, "raw-client");
    this.pushWindow = new Semaphore((int) Math.max(1, windowBytes / pushSize));
    this.readWindow = new Semaphore((int) Math.max(1, windowBytes / readSize));
    this.pushSize = pushSize;
    this.readSize = readSize;
    this.pushPayloads = ring(pushSize);
    this.readPayloads = ring(readSize);
    server = new ServerBootstrap().group(serverGroup).channel(NettyUtils.serverChannelClass(epoll))
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ServerSide());
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    client = new Bootstrap().group(clientGroup).channel(NettyUtils.clientChannelClass(epoll))
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ClientSide());
          }
        }).connect(server.localAddress()).sync().channel();
  }

  /** Distinct payloads filling {@link #RING_BYTES}, so no message is sent from a warm cache. */
  static final long RING_BYTES = 256L << 20;

  private static ByteBuf[] ring(int size) {
    ByteBuf[] ring = new ByteBuf[(int) Math.max(1, RING_BYTES / size)];
    Random rnd = new Random(7);
    byte[] b = new byte[size];
    for (int i = 0; i < ring.length; i++) {
      rnd.nextBytes(b);
      ring[i] = Unpooled.directBuffer(size).writeBytes(b);
    }
    return ring;
  }

  boolean epoll() {
    return epoll;
  }

  /** Pushes {@code count} messages of the push size; returns bytes per second. */
  double push(int count) throws InterruptedException {
    messageSize = 8;
    serverMode = Mode.PUSH;
    window = pushWindow;
    done = new CountDownLatch(count);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      window.acquire();
      client.writeAndFlush(pushPayloads[nextPush++ % pushPayloads.length].retainedDuplicate());
    }
    done.await(10, TimeUnit.MINUTES);
    return (double) count * pushSize / ((System.nanoTime() - start) / 1e9);
  }

  /** Reads {@code count} messages of the read size; returns bytes per second. */
  double read(int count) throws InterruptedException {
    messageSize = readSize;
    serverMode = Mode.READ;
    window = readWindow;
    done = new CountDownLatch(count);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      window.acquire();
      client.writeAndFlush(client.alloc().directBuffer(8).writeLong(i));
    }
    done.await(10, TimeUnit.MINUTES);
    return (double) count * readSize / ((System.nanoTime() - start) / 1e9);
  }

  private enum Mode { PUSH, READ }

  private volatile Mode serverMode = Mode.PUSH;

  /** Counts received bytes: acknowledges each pushed message, or answers each 8-byte request. */
  private final class ServerSide extends ChannelInboundHandlerAdapter {
    private long received;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      received += b.readableBytes();
      b.release();
      int unit = serverMode == Mode.PUSH ? pushSize : 8;
      while (received >= unit) {
        received -= unit;
        ctx.write(serverMode == Mode.PUSH ? ctx.alloc().directBuffer(8).writeLong(1)
            : readPayloads[nextRead++ % readPayloads.length].retainedDuplicate());
      }
      ctx.flush();
    }
  }

  /** Counts bytes coming back and releases one window slot per whole message. */
  private final class ClientSide extends ChannelInboundHandlerAdapter {
    private long received;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      received += b.readableBytes();
      b.release();
      int unit = messageSize;
      while (received >= unit) {
        received -= unit;
        window.release();
        done.countDown();
      }
    }
  }

  @Override
  public void close() {
    client.close();
    server.close();
    clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    for (ByteBuf b : pushPayloads) {
      b.release();
    }
    for (ByteBuf b : readPayloads) {
      b.release();
    }
  }
}
