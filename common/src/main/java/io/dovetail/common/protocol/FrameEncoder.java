package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes a {@link Message} as a frame header plus fields, followed by its body untouched (a
 * {@link io.netty.channel.FileRegion} body goes out zero-copy). Takes over the message's reference
 * to its body. Stateless and shareable.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Message> {
  public static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {}

  @Override
  protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
    msg.encoded(); // from here on the body is released below or passed on
    int fields;
    long frameLength;
    try {
      fields = msg.encodedLength();
      frameLength = FrameDecoder.HEADER_AFTER_LENGTH + fields + msg.bodyLength();
      if (frameLength > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(msg + " is too large for one frame");
      }
    } catch (RuntimeException e) {
      msg.release();
      throw e;
    }
    ByteBuf header = ctx.alloc().ioBuffer(FrameDecoder.HEADER_SIZE + fields);
    try {
      header.writeInt((int) frameLength);
      header.writeByte(FrameDecoder.VERSION);
      header.writeByte(msg.type().id());
      header.writeLong(msg.requestId());
      msg.encode(header);
    } catch (RuntimeException e) {
      header.release();
      msg.release();
      throw e;
    }
    out.add(header);
    Object body = msg.body();
    if (body != null) {
      out.add(body);
    }
  }
}
