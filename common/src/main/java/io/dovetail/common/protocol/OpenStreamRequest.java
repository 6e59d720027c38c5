package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;

/**
 * Opens a read stream over one partition file, sealing it first. The stream holds, in file
 * order, exactly the batches whose map index is in [startMap, endMap) and whose attempt is the
 * committed one for that map; chunks are then fetched with {@link FetchChunkRequest}.
 *
 * <pre>
 * appId:string shuffleId:int32 partition:int32 epoch:int32 expectedIncarnation:int64
 * startMap:int32 endMap:int32 committedCount:int32 (mapIndex:int32 attemptId:int64)*
 * </pre>
 *
 * A committedCount of -1 means no attempt filter (every attempt in range). Answered by
 * {@link StreamOpened}.
 */
public final class OpenStreamRequest extends Message {
  public static final int NO_FILTER = -1;

  private final String appId;
  private final int shuffleId;
  private final int partition;
  private final int epoch;
  private final long expectedIncarnation;
  private final int startMap;
  private final int endMap;
  private final int[] committedMaps;
  private final long[] committedAttempts;

  /**
   * @param committedMaps map indexes with a committed attempt, or null for no filter
   * @param committedAttempts the committed attempt of each of {@code committedMaps}
   */
  public OpenStreamRequest(String appId, int shuffleId, int partition, int epoch,
      long expectedIncarnation, int startMap, int endMap, int[] committedMaps,
      long[] committedAttempts) {
    if ((committedMaps == null) != (committedAttempts == null)
        || (committedMaps != null && committedMaps.length != committedAttempts.length)) {
      throw new IllegalArgumentException("committed maps and attempts differ in length");
    }
    this.appId = appId;
    this.shuffleId = shuffleId;
    this.partition = partition;
    this.epoch = epoch;
    this.expectedIncarnation = expectedIncarnation;
    this.startMap = startMap;
    this.endMap = endMap;
    this.committedMaps = committedMaps;
    this.committedAttempts = committedAttempts;
  }

  public String appId() {
    return appId;
  }

  public int shuffleId() {
    return shuffleId;
  }

  public int partition() {
    return partition;
  }

  public int epoch() {
    return epoch;
  }

  public long expectedIncarnation() {
    return expectedIncarnation;
  }

  public int startMap() {
    return startMap;
  }

  public int endMap() {
    return endMap;
  }

  public boolean hasFilter() {
    return committedMaps != null;
  }

  /** Map indexes of the filter; null when there is none. Do not modify. */
  public int[] committedMaps() {
    return committedMaps;
  }

  /** Committed attempt per entry of {@link #committedMaps()}. Do not modify. */
  public long[] committedAttempts() {
    return committedAttempts;
  }

  @Override
  public MessageType type() {
    return MessageType.OPEN_STREAM;
  }

  @Override
  public int encodedLength() {
    int n = committedMaps == null ? 0 : committedMaps.length;
    return Codec.stringLength(appId) + 4 + 4 + 4 + 8 + 4 + 4 + 4 + n * 12;
  }

  @Override
  public void encode(ByteBuf out) {
    Codec.writeString(out, appId);
    out.writeInt(shuffleId);
    out.writeInt(partition);
    out.writeInt(epoch);
    out.writeLong(expectedIncarnation);
    out.writeInt(startMap);
    out.writeInt(endMap);
    if (committedMaps == null) {
      out.writeInt(NO_FILTER);
    } else {
      out.writeInt(committedMaps.length);
      for (int i = 0; i < committedMaps.length; i++) {
        out.writeInt(committedMaps[i]);
        out.writeLong(committedAttempts[i]);
      }
    }
  }

  public static OpenStreamRequest decode(ByteBuf in) {
    String appId = Codec.readString(in);
    Codec.require(in, 4 + 4 + 4 + 8 + 4 + 4 + 4, "open-stream fields");
    int shuffleId = in.readInt();
    int partition = in.readInt();
    int epoch = in.readInt();
    long incarnation = in.readLong();
    int startMap = in.readInt();
    int endMap = in.readInt();
    if (partition < 0 || epoch < 0 || startMap < 0 || endMap < startMap) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME,
          "bad partition, epoch or map range in open-stream");
    }
    int count = in.readInt();
    int[] maps = null;
    long[] attempts = null;
    if (count != NO_FILTER) {
      if (count < 0) {
        throw new FrameException(ErrorCode.MALFORMED_FRAME, "negative filter count " + count);
      }
      Codec.require(in, (long) count * 12, "attempt filter");
      maps = new int[count];
      attempts = new long[count];
      for (int i = 0; i < count; i++) {
        maps[i] = in.readInt();
        attempts[i] = in.readLong();
      }
    }
    return new OpenStreamRequest(appId, shuffleId, partition, epoch, incarnation, startMap,
        endMap, maps, attempts);
  }

  @Override
  public String toString() {
    return "OPEN_STREAM#" + requestId() + "[" + appId + "/" + shuffleId + "/" + partition + "@"
        + epoch + ", maps " + startMap + ".." + endMap + "]";
  }
}
