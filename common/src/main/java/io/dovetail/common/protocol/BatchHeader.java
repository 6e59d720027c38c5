package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;

/**
 * The header of one pushed batch, identical on the wire and in partition files.
 *
 * <pre>
 * mapIndex:int32 attemptId:int64 batchSeq:int32 flags:int8 recordCount:int32 length:int32 crc32c:int32
 * </pre>
 *
 * {@code attemptId} is unique within the application (the Spark task attempt id);
 * {@code batchSeq} numbers the batches of one attempt per partition from 0, so a reader drops
 * repeats; {@code crc32c} covers the {@code length} payload bytes that follow. Immutable.
 */
public record BatchHeader(int mapIndex, long attemptId, int batchSeq, byte flags, int recordCount,
    int length, int crc32c) {

  /** Encoded size in bytes. */
  public static final int SIZE = 4 + 8 + 4 + 1 + 4 + 4 + 4;

  /** Flag: this batch is one fragment of a payload split over consecutive batchSeq numbers. */
  public static final byte FLAG_FRAGMENT = 1;
  /** Flag, with {@link #FLAG_FRAGMENT}: the first fragment of its payload. */
  public static final byte FLAG_FIRST = 2;
  /** Flag, with {@link #FLAG_FRAGMENT}: the last fragment of its payload. */
  public static final byte FLAG_LAST = 4;

  public boolean isFragment() {
    return (flags & FLAG_FRAGMENT) != 0;
  }

  public BatchHeader {
    if (mapIndex < 0 || batchSeq < 0 || recordCount < 0 || length < 0) {
      throw new IllegalArgumentException("negative field in batch header");
    }
  }

  public void write(ByteBuf out) {
    out.writeInt(mapIndex);
    out.writeLong(attemptId);
    out.writeInt(batchSeq);
    out.writeByte(flags);
    out.writeInt(recordCount);
    out.writeInt(length);
    out.writeInt(crc32c);
  }

  public static BatchHeader read(ByteBuf in) {
    Codec.require(in, SIZE, "batch header");
    int mapIndex = in.readInt();
    long attemptId = in.readLong();
    int batchSeq = in.readInt();
    byte flags = in.readByte();
    int recordCount = in.readInt();
    int length = in.readInt();
    int crc = in.readInt();
    if (mapIndex < 0 || batchSeq < 0 || recordCount < 0 || length < 0) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME, "negative field in batch header");
    }
    return new BatchHeader(mapIndex, attemptId, batchSeq, flags, recordCount, length, crc);
  }
}
