package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Seals partition files: flush, sync, write the index, accept no more pushes. Idempotent; an
 * unknown (partition, epoch) on this server is not an error (it received no data).
 *
 * <pre>appId:string shuffleId:int32 count:int32 (partition:int32 epoch:int32)*</pre>
 */
public final class SealRequest extends Message {
  /** One partition file. */
  public record Target(int partition, int epoch) {}

  /**
   * The most targets one request may name: an unknown target becomes an empty sealed file, so an
   * unbounded list would let one frame fill a server's heap. {@link #split} keeps to it.
   */
  public static final int MAX_TARGETS = 65_536;

  private final String appId;
  private final int shuffleId;
  private final List<Target> targets;

  /** @throws IllegalArgumentException with more than {@link #MAX_TARGETS} targets */
  public SealRequest(String appId, int shuffleId, List<Target> targets) {
    if (targets.size() > MAX_TARGETS) {
      throw new IllegalArgumentException(targets.size() + " seal targets, more than "
          + MAX_TARGETS + " in one request: split them");
    }
    this.appId = appId;
    this.shuffleId = shuffleId;
    this.targets = List.copyOf(targets);
  }

  /** Requests sealing {@code targets}, at most {@link #MAX_TARGETS} in each. */
  public static List<SealRequest> split(String appId, int shuffleId, List<Target> targets) {
    List<SealRequest> out = new ArrayList<>();
    for (int from = 0; from < targets.size(); from += MAX_TARGETS) {
      out.add(new SealRequest(appId, shuffleId,
          targets.subList(from, Math.min(targets.size(), from + MAX_TARGETS))));
    }
    return out;
  }

  public String appId() {
    return appId;
  }

  public int shuffleId() {
    return shuffleId;
  }

  public List<Target> targets() {
    return targets;
  }

  @Override
  public MessageType type() {
    return MessageType.SEAL;
  }

  @Override
  public int encodedLength() {
    return Codec.stringLength(appId) + 4 + 4 + targets.size() * 8;
  }

  @Override
  public void encode(ByteBuf out) {
    Codec.writeString(out, appId);
    out.writeInt(shuffleId);
    out.writeInt(targets.size());
    for (Target t : targets) {
      out.writeInt(t.partition());
      out.writeInt(t.epoch());
    }
  }

  public static SealRequest decode(ByteBuf in) {
    String appId = Codec.readString(in);
    Codec.require(in, 4, "shuffle id");
    int shuffleId = in.readInt();
    int n = Codec.readCount(in, 8, "seal target");
    if (n > MAX_TARGETS) {
      throw new FrameException(ErrorCode.FRAME_TOO_LARGE, "a SEAL of " + n + " targets: at most "
          + MAX_TARGETS + " in one request");
    }
    List<Target> targets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int p = in.readInt();
      int e = in.readInt();
      if (p < 0 || e < 0) {
        throw new FrameException(ErrorCode.MALFORMED_FRAME, "negative partition or epoch");
      }
      targets.add(new Target(p, e));
    }
    return new SealRequest(appId, shuffleId, targets);
  }
}
