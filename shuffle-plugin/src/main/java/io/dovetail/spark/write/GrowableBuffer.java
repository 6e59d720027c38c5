package io.dovetail.spark.write;

import java.io.OutputStream;
import java.util.Arrays;

/** A byte-array output stream whose array is exposed, reset and shrunk. Not thread-safe. */
final class GrowableBuffer extends OutputStream {
  private byte[] buf;
  private int count;
  /** Doubling stops here; a larger need still gets exactly what it needs. */
  private final int growthCap;

  GrowableBuffer(int initial) {
    this(initial, Integer.MAX_VALUE - 16);
  }

  GrowableBuffer(int initial, int growthCap) {
    buf = new byte[Math.max(16, initial)];
    this.growthCap = growthCap;
  }

  @Override
  public void write(int b) {
    ensure(count + 1);
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(count + len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  void writeInt(int v) {
    ensure(count + 4);
    buf[count] = (byte) (v >>> 24);
    buf[count + 1] = (byte) (v >>> 16);
    buf[count + 2] = (byte) (v >>> 8);
    buf[count + 3] = (byte) v;
    count += 4;
  }

  int readInt(int at) {
    return ((buf[at] & 0xff) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8)
        | (buf[at + 3] & 0xff);
  }

  private void ensure(int needed) {
    if (needed < 0) {
      throw new IllegalStateException("buffer over 2 GiB");
    }
    if (needed > buf.length) {
      long grown = Math.max(Math.min((long) buf.length * 2, growthCap), needed);
      buf = Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 16));
    }
  }

  byte[] array() {
    return buf;
  }

  int size() {
    return count;
  }

  int capacity() {
    return buf.length;
  }

  /** Empties the buffer; gives memory back if it grew far beyond {@code keep} bytes. */
  void reset(int keep) {
    count = 0;
    if (buf.length > 2 * keep) {
      buf = new byte[Math.max(16, keep)];
    }
  }

  @Override
  public void close() {
    // The bytes stay readable; nothing to release.
  }
}
