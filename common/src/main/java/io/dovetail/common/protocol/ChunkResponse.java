package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;

/**
 * One chunk of a stream: whole batch records (header and payload), back to back.
 *
 * <pre>streamId:int64 chunkIndex:int32  body: the records</pre>
 *
 * On the sending side the body may be a {@link FileRegion} (zero-copy) or a {@link ByteBuf};
 * a decoded chunk always holds a {@link ByteBuf}. Owns one reference to its body.
 */
public final class ChunkResponse extends Message {
  private final long streamId;
  private final int chunkIndex;
  private final Object body;
  private final long bodyLength;

  public ChunkResponse(long streamId, int chunkIndex, ByteBuf body) {
    this(streamId, chunkIndex, body, body.readableBytes());
  }

  public ChunkResponse(long streamId, int chunkIndex, Object body, long bodyLength) {
    if (!(body instanceof ByteBuf) && !(body instanceof FileRegion)) {
      throw new IllegalArgumentException("chunk body must be a ByteBuf or a FileRegion");
    }
    this.streamId = streamId;
    this.chunkIndex = chunkIndex;
    this.body = body;
    this.bodyLength = bodyLength;
  }

  public long streamId() {
    return streamId;
  }

  public int chunkIndex() {
    return chunkIndex;
  }

  /** The records, when this chunk was decoded (or built from memory). Owned by this message. */
  public ByteBuf data() {
    return (ByteBuf) body;
  }

  @Override
  public MessageType type() {
    return MessageType.CHUNK;
  }

  @Override
  public int encodedLength() {
    return 12;
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeLong(streamId);
    out.writeInt(chunkIndex);
  }

  @Override
  public Object body() {
    return body;
  }

  @Override
  public long bodyLength() {
    return bodyLength;
  }

  @Override
  public void release() {
    ReferenceCountUtil.release(body);
  }

  public static ChunkResponse decode(ByteBuf in) {
    Codec.require(in, 12, "chunk fields");
    long streamId = in.readLong();
    int chunkIndex = in.readInt();
    return new ChunkResponse(streamId, chunkIndex, in.readRetainedSlice(in.readableBytes()));
  }

  @Override
  public String toString() {
    return "CHUNK#" + requestId() + "[stream " + streamId + ", chunk " + chunkIndex + ", "
        + bodyLength + " bytes]";
  }
}
