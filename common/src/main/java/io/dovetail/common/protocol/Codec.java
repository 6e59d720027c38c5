package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/** Field encoding helpers shared by the message classes. */
public final class Codec {
  public static final int MAX_STRING_BYTES = Short.MAX_VALUE;

  private Codec() {}

  public static int stringLength(String s) {
    return 2 + ByteBufUtil.utf8Bytes(s);
  }

  public static void writeString(ByteBuf out, String s) {
    int len = ByteBufUtil.utf8Bytes(s);
    if (len > MAX_STRING_BYTES) {
      throw new IllegalArgumentException("string too long for the wire: " + len + " bytes");
    }
    out.writeShort(len);
    ByteBufUtil.reserveAndWriteUtf8(out, s, len);
  }

  public static String readString(ByteBuf in) {
    int len = in.readUnsignedShort();
    require(in, len, "string");
    String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
    in.skipBytes(len);
    return s;
  }

  /** Fails with MALFORMED_FRAME unless {@code n} more bytes are readable. */
  public static void require(ByteBuf in, long n, String what) {
    if (n < 0 || in.readableBytes() < n) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME,
          "truncated " + what + ": need " + n + " bytes, have " + in.readableBytes());
    }
  }

  /** Reads a non-negative count, checking that {@code each} bytes per element can follow. */
  public static int readCount(ByteBuf in, int each, String what) {
    require(in, 4, what + " count");
    int n = in.readInt();
    if (n < 0) {
      throw new FrameException(ErrorCode.MALFORMED_FRAME, "negative " + what + " count " + n);
    }
    require(in, (long) n * each, what);
    return n;
  }
}
