package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;

/** Closes a stream early. <pre>streamId:int64</pre> Answered by {@link StatusResponse}. */
public final class CloseStreamRequest extends Message {
  private final long streamId;

  public CloseStreamRequest(long streamId) {
    this.streamId = streamId;
  }

  public long streamId() {
    return streamId;
  }

  @Override
  public MessageType type() {
    return MessageType.CLOSE_STREAM;
  }

  @Override
  public int encodedLength() {
    return 8;
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeLong(streamId);
  }

  public static CloseStreamRequest decode(ByteBuf in) {
    Codec.require(in, 8, "close-stream fields");
    return new CloseStreamRequest(in.readLong());
  }
}
