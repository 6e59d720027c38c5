package io.dovetail.metadata.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Operations to apply atomically with {@link KeyValueStore#write(KvBatch)}. A plain Java object
 * (no native resources), so a batch that is never written needs no cleanup. Not thread-safe.
 */
public final class KvBatch {
  /** The kind of one operation. */
  public enum Kind { PUT, DELETE, DELETE_RANGE }

  /**
   * One operation. For PUT, {@code second} is the value; for DELETE_RANGE it is the exclusive end
   * key; for DELETE it is null.
   */
  public record Op(Kind kind, byte[] first, byte[] second) {}

  private final List<Op> ops = new ArrayList<>();
  private long approximateBytes;

  public KvBatch put(byte[] key, byte[] value) {
    add(new Op(Kind.PUT, Objects.requireNonNull(key), Objects.requireNonNull(value)));
    return this;
  }

  public KvBatch delete(byte[] key) {
    add(new Op(Kind.DELETE, Objects.requireNonNull(key), null));
    return this;
  }

  /** Deletes every key with {@code fromInclusive <= key < toExclusive}. */
  public KvBatch deleteRange(byte[] fromInclusive, byte[] toExclusive) {
    add(new Op(Kind.DELETE_RANGE, Objects.requireNonNull(fromInclusive),
        Objects.requireNonNull(toExclusive)));
    return this;
  }

  /** Deletes every key that starts with {@code prefix}. */
  public KvBatch deletePrefix(byte[] prefix) {
    byte[] end = prefixEnd(prefix);
    if (end == null) {
      throw new IllegalArgumentException("prefix has no upper bound");
    }
    return deleteRange(prefix, end);
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }

  public int size() {
    return ops.size();
  }

  /** Bytes of keys and values held, for logging and sanity limits. */
  public long approximateBytes() {
    return approximateBytes;
  }

  private void add(Op op) {
    ops.add(op);
    approximateBytes += op.first().length + (op.second() == null ? 0 : op.second().length);
  }

  /**
   * The smallest key greater than every key starting with {@code prefix}, or null when there is
   * none (the prefix is empty or all 0xFF).
   */
  public static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        byte[] out = new byte[i + 1];
        System.arraycopy(end, 0, out, 0, i + 1);
        return out;
      }
    }
    return null;
  }
}
