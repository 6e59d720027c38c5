package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Compact binary encoding of stored values: unsigned LEB128 varints, length-prefixed strings and
 * blobs. A {@link Writer} grows as needed; a {@link Reader} fails with INTERNAL on truncated or
 * malformed input (a corrupt store), never with an unchecked index error. Not thread-safe.
 */
final class Bytes {
  private Bytes() {}

  /** Appends values to a growable array. */
  static final class Writer {
    private byte[] buf;
    private int len;

    Writer(int initialCapacity) {
      buf = new byte[Math.max(16, initialCapacity)];
    }

    Writer() {
      this(64);
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    Writer u8(int v) {
      ensure(1);
      buf[len++] = (byte) v;
      return this;
    }

    /** A non-negative long as an unsigned varint (1..10 bytes). */
    Writer varLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
      return this;
    }

    Writer varInt(int v) {
      return varLong(v & 0xFFFFFFFFL);
    }

    Writer bool(boolean v) {
      return u8(v ? 1 : 0);
    }

    Writer blob(byte[] b) {
      varInt(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    Writer string(String s) {
      return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    int length() {
      return len;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }
  }

  /** Reads values from an array, checking bounds. */
  static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int end;

    Reader(byte[] buf) {
      this(buf, 0, buf.length);
    }

    Reader(byte[] buf, int offset, int end) {
      this.buf = buf;
      this.pos = offset;
      this.end = end;
    }

    /** An independent reader over the rest of this one's range. */
    Reader duplicate() {
      return new Reader(buf, pos, end);
    }

    int position() {
      return pos;
    }

    boolean hasRemaining() {
      return pos < end;
    }

    int u8() {
      need(1);
      return buf[pos++] & 0xFF;
    }

    long varLong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        need(1);
        byte b = buf[pos++];
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw corrupt("varint longer than 10 bytes");
    }

    int varInt() {
      long v = varLong();
      if (v > 0xFFFFFFFFL) {
        throw corrupt("varint out of int range");
      }
      return (int) v;
    }

    /** A varint that must be in {@code [0, max]}. */
    int count(int max) {
      int v = varInt();
      if (v < 0 || v > max) {
        throw corrupt("count " + v + " out of range 0.." + max);
      }
      return v;
    }

    /** Skips {@code n} varints without decoding them. */
    void skipVarLongs(int n) {
      for (int i = 0; i < n; i++) {
        int start = pos;
        while (true) {
          need(1);
          if (buf[pos++] >= 0) {
            break;
          }
          if (pos - start > 10) {
            throw corrupt("varint longer than 10 bytes");
          }
        }
      }
    }

    boolean bool() {
      return u8() != 0;
    }

    byte[] blob() {
      int n = count(end - pos);
      byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    /** Returns a reader over the next blob and moves past it. */
    Reader blobReader() {
      int n = count(end - pos);
      Reader r = new Reader(buf, pos, pos + n);
      pos += n;
      return r;
    }

    String string() {
      return new String(blob(), StandardCharsets.UTF_8);
    }

    private void need(int n) {
      if (end - pos < n) {
        throw corrupt("value truncated");
      }
    }
  }

  static DovetailException corrupt(String what) {
    return new DovetailException(ErrorCode.INTERNAL, "corrupt metadata value: " + what);
  }

  static byte[] long64(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  static long long64(byte[] b, int offset) {
    if (b.length < offset + 8) {
      throw corrupt("expected 8 bytes");
    }
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[offset + i] & 0xFF);
    }
    return v;
  }

  static int int32(byte[] b, int offset) {
    if (b.length < offset + 4) {
      throw corrupt("expected 4 bytes");
    }
    return ((b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16)
        | ((b[offset + 2] & 0xFF) << 8) | (b[offset + 3] & 0xFF);
  }
}
