package io.dovetail.common.protocol;

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

  static ReplicaTarget decode(ByteBuf in) {
    String host = Codec.readString(in);
    Codec.require(in, 12, "replica target");
    return new ReplicaTarget(host, in.readInt(), in.readLong());
  }
}
