package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;

/** Answer to a request that needs no data back, and the error answer to any request. */
public final class StatusResponse extends Message {
  private final ErrorCode code;
  private final String message;

  public StatusResponse(ErrorCode code, String message) {
    this.code = code;
    this.message = message == null ? "" : truncate(message);
  }

  public static StatusResponse ok(long requestId) {
    return (StatusResponse) new StatusResponse(ErrorCode.NONE, "").requestId(requestId);
  }

  public static StatusResponse error(long requestId, ErrorCode code, String message) {
    return (StatusResponse) new StatusResponse(code, message).requestId(requestId);
  }

  public ErrorCode code() {
    return code;
  }

  public String message() {
    return message;
  }

  public boolean isOk() {
    return code == ErrorCode.NONE;
  }

  @Override
  public MessageType type() {
    return MessageType.STATUS;
  }

  @Override
  public int encodedLength() {
    return 2 + Codec.stringLength(message);
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeShort(code.code());
    Codec.writeString(out, message);
  }

  public static StatusResponse decode(ByteBuf in) {
    Codec.require(in, 2, "status code");
    ErrorCode code = ErrorCode.fromCode(in.readShort());
    return new StatusResponse(code, Codec.readString(in));
  }

  static String truncate(String s) {
    return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
  }

  @Override
  public String toString() {
    return "STATUS#" + requestId() + "[" + code + (message.isEmpty() ? "" : ": " + message) + "]";
  }
}
