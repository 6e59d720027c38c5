package io.dovetail.metadata.state;

import java.nio.charset.StandardCharsets;

/**
 * The key space of the metadata store. One key family per record kind, told apart by the first
 * byte; integers are big-endian so that keys sort numerically (ids are never negative), and the
 * application id is length-prefixed so that no id is a prefix of another's keys.
 *
 * <pre>
 * 0x01 name(ascii)                                  meta: "seq" id high-water mark, "schema"
 * 0x02 incarnation(int64)                           server incarnation  -> ServerRecord
 * 0x03 len(u8) app(utf8)                            application         -> AppState record
 * 0x04 len app shuffle(int32)                       shuffle header      -> shape, layout version
 * 0x05 len app shuffle(int32) partition(int32)      partition epochs    -> Epoch list
 * 0x06 len app shuffle(int32) map(int32)            winning map commit  -> commit record
 * 0x07 address(utf8, host:port)                     drain intent        -> empty
 * </pre>
 *
 * All of one application's shuffles, layouts and commits share a prefix per family, so deleting an
 * application or a shuffle is one range delete per family. Values are described in {@link Codec}.
 * Stateless and thread-safe.
 */
final class Keys {
  static final byte META = 0x01;
  static final byte SERVER = 0x02;
  static final byte APP = 0x03;
  static final byte SHUFFLE = 0x04;
  static final byte LAYOUT = 0x05;
  static final byte COMMIT = 0x06;
  static final byte DRAIN = 0x07;

  static final byte[] SEQ = meta("seq");
  static final byte[] SCHEMA = meta("schema");

  private Keys() {}

  private static byte[] meta(String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    byte[] k = new byte[1 + n.length];
    k[0] = META;
    System.arraycopy(n, 0, k, 1, n.length);
    return k;
  }

  static byte[] family(byte family) {
    return new byte[] {family};
  }

  static byte[] server(long incarnation) {
    byte[] k = new byte[9];
    k[0] = SERVER;
    System.arraycopy(Bytes.long64(incarnation), 0, k, 1, 8);
    return k;
  }

  static long serverIncarnation(byte[] key) {
    return Bytes.long64(key, 1);
  }

  /** The drain intent of a storage-server address ({@code host:port}). */
  static byte[] drain(String address) {
    byte[] a = address.getBytes(StandardCharsets.UTF_8);
    byte[] k = new byte[1 + a.length];
    k[0] = DRAIN;
    System.arraycopy(a, 0, k, 1, a.length);
    return k;
  }

  static String drainAddress(byte[] key) {
    return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
  }

  /** {@code family len app}: the prefix of one application's keys in {@code family}. */
  static byte[] appPrefix(byte family, String appId) {
    byte[] a = appId.getBytes(StandardCharsets.UTF_8);
    if (a.length > 255) {
      throw new IllegalArgumentException("application id longer than 255 bytes");
    }
    byte[] k = new byte[2 + a.length];
    k[0] = family;
    k[1] = (byte) a.length;
    System.arraycopy(a, 0, k, 2, a.length);
    return k;
  }

  static byte[] app(String appId) {
    return appPrefix(APP, appId);
  }

  /** {@code family len app shuffle}: one shuffle's key (SHUFFLE) or prefix (LAYOUT, COMMIT). */
  static byte[] shufflePrefix(byte family, String appId, int shuffleId) {
    byte[] p = appPrefix(family, appId);
    byte[] k = new byte[p.length + 4];
    System.arraycopy(p, 0, k, 0, p.length);
    putInt(k, p.length, shuffleId);
    return k;
  }

  static byte[] shuffle(String appId, int shuffleId) {
    return shufflePrefix(SHUFFLE, appId, shuffleId);
  }

  static byte[] layout(String appId, int shuffleId, int partition) {
    return withIndex(shufflePrefix(LAYOUT, appId, shuffleId), partition);
  }

  static byte[] commit(String appId, int shuffleId, int mapIndex) {
    return withIndex(shufflePrefix(COMMIT, appId, shuffleId), mapIndex);
  }

  private static byte[] withIndex(byte[] prefix, int index) {
    byte[] k = new byte[prefix.length + 4];
    System.arraycopy(prefix, 0, k, 0, prefix.length);
    putInt(k, prefix.length, index);
    return k;
  }

  private static void putInt(byte[] k, int at, int v) {
    k[at] = (byte) (v >>> 24);
    k[at + 1] = (byte) (v >>> 16);
    k[at + 2] = (byte) (v >>> 8);
    k[at + 3] = (byte) v;
  }

  /** The application id of an APP, SHUFFLE, LAYOUT or COMMIT key. */
  static String appOf(byte[] key) {
    int len = key.length < 2 ? -1 : key[1] & 0xFF;
    if (len < 0 || key.length < 2 + len) {
      throw Bytes.corrupt("short key of family " + (key.length == 0 ? -1 : key[0]));
    }
    return new String(key, 2, len, StandardCharsets.UTF_8);
  }

  /** The shuffle id of a SHUFFLE, LAYOUT or COMMIT key. */
  static int shuffleOf(byte[] key) {
    return Bytes.int32(key, 2 + (key[1] & 0xFF));
  }

  /** The partition of a LAYOUT key or map index of a COMMIT key. */
  static int indexOf(byte[] key) {
    return Bytes.int32(key, 6 + (key[1] & 0xFF));
  }
}
