package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;

/** A replica the primary must forward a push to: address and expected incarnation. */
public record ReplicaTarget(String host, int port, long incarnation) {
  int encodedLength() {
    return Codec.stringLength(host) + 4 + 8;
  }

  void encode(ByteBuf out) {
    Codec.writeString(out, host);
    out.writeInt(port);
    out.writeLong(incarnation);
  }

  /** Longest host name a replica target may carry (a DNS name has at most 253 characters). */
  public static final int MAX_HOST_LENGTH = 255;

  static ReplicaTarget decode(ByteBuf in) {
    String host = Codec.readString(in);
    Codec.require(in, 12, "replica target");
    int port = in.readInt();
    if (host.isEmpty() || host.length() > MAX_HOST_LENGTH || port <= 0 || port > 0xFFFF) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME, "invalid replica target "
          + (host.length() > MAX_HOST_LENGTH ? host.substring(0, 64) + "..." : host) + ":"
          + port);
    }
    return new ReplicaTarget(host, port, in.readLong());
  }
}
