package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;

/**
 * First frame on a connection: who is calling, and the shared secret when the server requires
 * one. Answered by {@link StatusResponse} (AUTH_FAILED closes the connection).
 */
public final class HelloRequest extends Message {
  private final String clientName;
  private final String secret;

  public HelloRequest(String clientName, String secret) {
    this.clientName = clientName;
    this.secret = secret == null ? "" : secret;
  }

  public String clientName() {
    return clientName;
  }

  public String secret() {
    return secret;
  }

  @Override
  public MessageType type() {
    return MessageType.HELLO;
  }

  @Override
  public int encodedLength() {
    return Codec.stringLength(clientName) + Codec.stringLength(secret);
  }

  @Override
  public void encode(ByteBuf out) {
    Codec.writeString(out, clientName);
    Codec.writeString(out, secret);
  }

  public static HelloRequest decode(ByteBuf in) {
    return new HelloRequest(Codec.readString(in), Codec.readString(in));
  }

  @Override
  public String toString() {
    return "HELLO#" + requestId() + "[" + clientName + "]";
  }
}
