package io.dovetail.common.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Reads the file regions written through it into buffers, for a pipeline whose bytes must pass
 * through user space (TLS cannot encrypt a zero-copy transfer). Blocking reads on the event loop,
 * of data the page cache usually holds; a region that cannot be read closes the connection.
 * Stateless and shareable.
 */
@ChannelHandler.Sharable
final class FileRegionReader extends ChannelOutboundHandlerAdapter {
  static final FileRegionReader INSTANCE = new FileRegionReader();

  private FileRegionReader() {}

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof FileRegion region)) {
      ctx.write(msg, promise);
      return;
    }
    ByteBuf buf = null;
    try {
      long count = region.count();
      if (count > Integer.MAX_VALUE) {
        throw new IOException("a file region of " + count + " bytes is too large to copy");
      }
      buf = ctx.alloc().directBuffer((int) count);
      WritableByteChannel into = new BufferChannel(buf);
      while (region.transferred() < count) {
        if (region.transferTo(into, region.transferred()) <= 0 && buf.writableBytes() > 0) {
          throw new IOException("the file ended " + (count - region.transferred())
              + " bytes early");
        }
      }
      ByteBuf out = buf;
      buf = null;
      ctx.write(out, promise);
    } catch (IOException | RuntimeException e) {
      if (buf != null) {
        buf.release();
      }
      promise.setFailure(e);
      // The frame's header has gone out already: without its body the stream is out of step,
      // so the connection must go (as a failed zero-copy transfer closes it).
      ctx.close();
    } finally {
      region.release();
    }
  }

  /** Appends what is written to a buffer. */
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
