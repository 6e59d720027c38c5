package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Answer to a {@link PushRequest}: NONE when every batch is held by every replica; otherwise the
 * batches that were not accepted, each with its error. Accepted batches stay accepted.
 */
public final class PushResponse extends Message {
  /** A batch that was not accepted, by its index in the request. */
  public record Failure(int batchIndex, ErrorCode code) {}

  private final ErrorCode code;
  private final String message;
  private final List<Failure> failures;

  public PushResponse(ErrorCode code, String message, List<Failure> failures) {
    this.code = code;
    this.message = message == null ? "" : StatusResponse.truncate(message);
    this.failures = List.copyOf(failures);
  }

  public static PushResponse ok() {
    return new PushResponse(ErrorCode.NONE, "", List.of());
  }

  public ErrorCode code() {
    return code;
  }

  public String message() {
    return message;
  }

  public List<Failure> failures() {
    return failures;
  }

  public boolean isOk() {
    return code == ErrorCode.NONE && failures.isEmpty();
  }

  @Override
  public MessageType type() {
    return MessageType.PUSH_RESPONSE;
  }

  @Override
  public int encodedLength() {
    return 2 + Codec.stringLength(message) + 4 + failures.size() * 6;
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeShort(code.code());
    Codec.writeString(out, message);
    out.writeInt(failures.size());
    for (Failure f : failures) {
      out.writeInt(f.batchIndex());
      out.writeShort(f.code().code());
    }
  }

  public static PushResponse decode(ByteBuf in) {
    Codec.require(in, 2, "push response code");
    ErrorCode code = ErrorCode.fromCode(in.readShort());
    String message = Codec.readString(in);
    int n = Codec.readCount(in, 6, "push failure");
    List<Failure> failures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      failures.add(new Failure(in.readInt(), ErrorCode.fromCode(in.readShort())));
    }
    return new PushResponse(code, message, failures);
  }

  @Override
  public String toString() {
    return "PUSH_RESPONSE#" + requestId() + "[" + code + ", failures=" + failures.size()
        + (message.isEmpty() ? "" : ", " + message) + "]";
  }
}
