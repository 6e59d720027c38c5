package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;

/** Asks for one chunk of an open stream. <pre>streamId:int64 chunkIndex:int32</pre> */
public final class FetchChunkRequest extends Message {
  private final long streamId;
  private final int chunkIndex;

  public FetchChunkRequest(long streamId, int chunkIndex) {
    this.streamId = streamId;
    this.chunkIndex = chunkIndex;
  }

  public long streamId() {
    return streamId;
  }

  public int chunkIndex() {
    return chunkIndex;
  }

  @Override
  public MessageType type() {
    return MessageType.FETCH_CHUNK;
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

  public static FetchChunkRequest decode(ByteBuf in) {
    Codec.require(in, 12, "fetch-chunk fields");
    return new FetchChunkRequest(in.readLong(), in.readInt());
  }
}
