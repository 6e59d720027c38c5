package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Answer to {@link OpenStreamRequest}.
 *
 * <pre>streamId:int64 numChunks:int32 totalBytes:int64 batchCount:int64</pre>
 *
 * {@code totalBytes} counts batch headers and payloads.
 */
public final class StreamOpened extends Message {
  private final long streamId;
  private final int numChunks;
  private final long totalBytes;
  private final long batchCount;

  public StreamOpened(long streamId, int numChunks, long totalBytes, long batchCount) {
    this.streamId = streamId;
    this.numChunks = numChunks;
    this.totalBytes = totalBytes;
    this.batchCount = batchCount;
  }

  public long streamId() {
    return streamId;
  }

  public int numChunks() {
    return numChunks;
  }

  public long totalBytes() {
    return totalBytes;
  }

  public long batchCount() {
    return batchCount;
  }

  @Override
  public MessageType type() {
    return MessageType.STREAM_OPENED;
  }

  @Override
  public int encodedLength() {
    return 8 + 4 + 8 + 8;
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeLong(streamId);
    out.writeInt(numChunks);
    out.writeLong(totalBytes);
    out.writeLong(batchCount);
  }

  public static StreamOpened decode(ByteBuf in) {
    Codec.require(in, 28, "stream-opened fields");
    return new StreamOpened(in.readLong(), in.readInt(), in.readLong(), in.readLong());
  }
}
