package io.dovetail.examples.terasort;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The TeraSort record: {@value #RECORD_SIZE} bytes, a {@value #KEY_SIZE}-byte key followed by a
 * {@value #VALUE_SIZE}-byte value. Keys order as unsigned bytes, left to right.
 *
 * <p>Generation is a pure function of a seed and a record index, so any partition of a data set
 * can be produced independently and again. The key is 10 pseudo-random bytes (a SplitMix64 hash
 * of seed and index). The value starts with the index as 16 hexadecimal digits, so a record names
 * its origin, followed by 74 pseudo-random bytes: like the key they do not compress, so a shuffle
 * moves about as many bytes as the data set holds.
 *
 * <p>A record's checksum is the CRC32 of its 100 bytes; a data set's checksum is the sum (modulo
 * 2^64) of its records' checksums, so it does not depend on order but changes when a record is
 * lost, duplicated or altered. Stateless and thread-safe.
 */
public final class TeraRecords {
  public static final int KEY_SIZE = 10;
  public static final int VALUE_SIZE = 90;
  public static final int RECORD_SIZE = KEY_SIZE + VALUE_SIZE;
  private static final byte[] HEX =
      "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private TeraRecords() {}

  /** Writes record {@code index} of the data set generated from {@code seed} into the arrays. */
  public static void generate(long seed, long index, byte[] key, byte[] value) {
    long h1 = mix(seed ^ mix(index));
    long h2 = mix(h1 ^ 0x5DEECE66DL);
    for (int i = 0; i < 8; i++) {
      key[i] = (byte) (h1 >>> (56 - 8 * i));
    }
    key[8] = (byte) (h2 >>> 56);
    key[9] = (byte) (h2 >>> 48);
    for (int i = 0; i < 16; i++) {
      value[i] = HEX[(int) (index >>> (60 - 4 * i)) & 0xF];
    }
    long h = h2;
    for (int i = 16; i < VALUE_SIZE; i += 8) {
      h = mix(h);
      for (int b = 0; b < 8 && i + b < VALUE_SIZE; b++) {
        value[i + b] = (byte) (h >>> (56 - 8 * b));
      }
    }
  }

  /** Record {@code index} as one 100-byte array (key, then value). */
  public static byte[] generate(long seed, long index) {
    byte[] key = new byte[KEY_SIZE];
    byte[] value = new byte[VALUE_SIZE];
    generate(seed, index, key, value);
    byte[] record = Arrays.copyOf(key, RECORD_SIZE);
    System.arraycopy(value, 0, record, KEY_SIZE, VALUE_SIZE);
    return record;
  }

  /** Unsigned lexicographic order of two keys. */
  public static int compareKeys(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, 0, KEY_SIZE, b, 0, KEY_SIZE);
  }

  /** The CRC32 of a record given as its key and value; {@code crc} is scratch state. */
  public static long checksum(CRC32 crc, byte[] key, byte[] value) {
    crc.reset();
    crc.update(key, 0, KEY_SIZE);
    crc.update(value, 0, VALUE_SIZE);
    return crc.getValue();
  }

  /** The key as hexadecimal, for messages. */
  public static String hex(byte[] key) {
    if (key == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder(2 * key.length);
    for (byte b : key) {
      sb.append((char) HEX[(b >>> 4) & 0xF]).append((char) HEX[b & 0xF]);
    }
    return sb.toString();
  }

  /** SplitMix64's finalizer: a bijective, well-mixing hash of 64 bits. */
  static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
