package io.dovetail.common.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Turns the file regions written through it into {@link ChunkedInput}s of {@link #PIECE} bytes,
 * for a pipeline whose bytes must pass through user space (TLS cannot encrypt a zero-copy
 * transfer). A {@link ChunkedWriteHandler} nearer the socket reads the pieces as the connection
 * can take them, so a slow reader holds about one piece per connection, not whole chunks.
 * Blocking reads on the event loop, of data the page cache usually holds. A region that cannot
 * be read closes the connection: its frame's header has gone out, and without the body the
 * stream is out of step. Stateless and shareable.
 */
@ChannelHandler.Sharable
final class FileRegionReader extends ChannelOutboundHandlerAdapter {
  static final FileRegionReader INSTANCE = new FileRegionReader();
  static final int PIECE = 64 * 1024;

  private FileRegionReader() {}

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof FileRegion region)) {
      ctx.write(msg, promise);
      return;
    }
    promise.addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        f.channel().close();
      }
    });
    ctx.write(new RegionInput(region), promise);
  }

  /**
   * A file region read piece by piece; releases the region when first closed (Netty may close
   * an input twice: after its write failed, and again when the channel goes).
   */
  static final class RegionInput implements ChunkedInput<ByteBuf> {
    private final FileRegion region;
    private boolean closed;

    RegionInput(FileRegion region) {
      this.region = region;
    }

    @Override
    public boolean isEndOfInput() {
      return region.transferred() >= region.count();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        region.release();
      }
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws IOException {
      return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator alloc) throws IOException {
      long left = region.count() - region.transferred();
      if (left <= 0) {
        return null;
      }
      ByteBuf buf = alloc.directBuffer((int) Math.min(PIECE, left));
      try {
        BufferChannel into = new BufferChannel(buf);
        while (buf.isWritable()) {
          if (region.transferTo(into, region.transferred()) <= 0) {
            throw new IOException("the file ended " + (region.count() - region.transferred())
                + " bytes early");
          }
        }
        ByteBuf out = buf;
        buf = null;
        return out;
      } finally {
        if (buf != null) {
          buf.release();
        }
      }
    }

    @Override
    public long length() {
      return region.count();
    }

    @Override
    public long progress() {
      return region.transferred();
    }
  }

  /** Appends what is written to a buffer, up to its capacity. */
  private static final class BufferChannel implements WritableByteChannel {
    private final ByteBuf buf;

    BufferChannel(ByteBuf buf) {
      this.buf = buf;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = Math.min(src.remaining(), buf.writableBytes());
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + n);
      buf.writeBytes(part);
      src.position(src.position() + n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
