package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes batches of one shuffle to a storage server.
 *
 * <pre>
 * appId:string shuffleId:int32 expectedIncarnation:int64 flags:int8
 * replicaCount:int32 replica*  batchCount:int32 (partition:int32 epoch:int32 BatchHeader)*
 * body: the payloads of all batches, back to back, in batch order
 * </pre>
 *
 * A primary receiving {@code replicas} forwards the same batches to each of them (with
 * {@link #FLAG_FORWARDED} set and no replicas) and acknowledges only once every replica holds
 * them. {@code expectedIncarnation} of -1 skips the incarnation check.
 *
 * <p>Owns one reference to {@code payloads}.
 */
public final class PushRequest extends Message {
  /** Set on the copy a primary forwards to a replica. */
  public static final byte FLAG_FORWARDED = 1;

  private final String appId;
  private final int shuffleId;
  private final long expectedIncarnation;
  private final byte flags;
  private final List<ReplicaTarget> replicas;
  private final List<PushBatch> batches;
  private final ByteBuf payloads;

  public PushRequest(String appId, int shuffleId, long expectedIncarnation, byte flags,
      List<ReplicaTarget> replicas, List<PushBatch> batches, ByteBuf payloads) {
    this.appId = appId;
    this.shuffleId = shuffleId;
    this.expectedIncarnation = expectedIncarnation;
    this.flags = flags;
    this.replicas = List.copyOf(replicas);
    this.batches = List.copyOf(batches);
    this.payloads = payloads;
    long total = 0;
    for (PushBatch b : batches) {
      total += b.header().length();
    }
    if (total != payloads.readableBytes()) {
      throw new IllegalArgumentException(
          "batch lengths sum to " + total + " but payloads hold " + payloads.readableBytes());
    }
  }

  public String appId() {
    return appId;
  }

  public int shuffleId() {
    return shuffleId;
  }

  public long expectedIncarnation() {
    return expectedIncarnation;
  }

  public byte flags() {
    return flags;
  }

  public boolean isForwarded() {
    return (flags & FLAG_FORWARDED) != 0;
  }

  public List<ReplicaTarget> replicas() {
    return replicas;
  }

  public List<PushBatch> batches() {
    return batches;
  }

  /** All payloads, back to back. Still owned by this message. */
  public ByteBuf payloads() {
    return payloads;
  }

  /** A copy addressed to a replica: same batches, forwarded flag, no further replicas. */
  public PushRequest forwardedCopy() {
    return new PushRequest(appId, shuffleId, -1, FLAG_FORWARDED, List.of(), batches,
        payloads.retainedDuplicate());
  }

  @Override
  public MessageType type() {
    return isForwarded() ? MessageType.PUSH_FORWARD : MessageType.PUSH;
  }

  @Override
  public int encodedLength() {
    int n = Codec.stringLength(appId) + 4 + 8 + 1 + 4;
    for (ReplicaTarget r : replicas) {
      n += r.encodedLength();
    }
    return n + 4 + batches.size() * PushBatch.SIZE;
  }

  @Override
  public void encode(ByteBuf out) {
    Codec.writeString(out, appId);
    out.writeInt(shuffleId);
    out.writeLong(expectedIncarnation);
    out.writeByte(flags);
    out.writeInt(replicas.size());
    for (ReplicaTarget r : replicas) {
      r.encode(out);
    }
    out.writeInt(batches.size());
    for (PushBatch b : batches) {
      out.writeInt(b.partition());
      out.writeInt(b.epoch());
      b.header().write(out);
    }
  }

  @Override
  public Object body() {
    return payloads;
  }

  @Override
  public long bodyLength() {
    return payloads.readableBytes();
  }

  @Override
  public void release() {
    payloads.release();
  }

  /** Decodes from {@code in}; the payloads are a retained slice of {@code in}. */
  public static PushRequest decode(ByteBuf in) {
    String appId = Codec.readString(in);
    Codec.require(in, 4 + 8 + 1, "push fields");
    int shuffleId = in.readInt();
    long incarnation = in.readLong();
    byte flags = in.readByte();
    int replicaCount = Codec.readCount(in, 14, "replica");
    if (replicaCount > 8) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME, "too many replicas: " + replicaCount);
    }
    List<ReplicaTarget> replicas = new ArrayList<>(replicaCount);
    for (int i = 0; i < replicaCount; i++) {
      replicas.add(ReplicaTarget.decode(in));
    }
    int batchCount = Codec.readCount(in, PushBatch.SIZE, "batch");
    List<PushBatch> batches = new ArrayList<>(batchCount);
    long total = 0;
    for (int i = 0; i < batchCount; i++) {
      int partition = in.readInt();
      int epoch = in.readInt();
      if (partition < 0 || epoch < 0) {
        throw new FrameException(ErrorCode.MALFORMED_FRAME, "negative partition or epoch");
      }
      BatchHeader h = BatchHeader.read(in);
      total += h.length();
      batches.add(new PushBatch(partition, epoch, h));
    }
    if (total != in.readableBytes()) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME,
          "batch lengths sum to " + total + " but the frame holds " + in.readableBytes());
    }
    return new PushRequest(appId, shuffleId, incarnation, flags, replicas, batches,
        in.readRetainedSlice(in.readableBytes()));
  }

  @Override
  public String toString() {
    return "PUSH#" + requestId() + "[" + appId + "/" + shuffleId + ", " + batches.size()
        + " batches, " + payloads.readableBytes() + " bytes"
        + (isForwarded() ? ", forwarded" : ", replicas=" + replicas.size()) + "]";
  }
}
