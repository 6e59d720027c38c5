package io.dovetail.client;

import io.dovetail.client.read.ReadBatch;
import io.dovetail.client.read.ShuffleReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Deterministic payloads and digests for comparing what was pushed with what was read. */
final class Payloads {
  private Payloads() {}

  /** {@code length} bytes determined by the seed. */
  static byte[] bytes(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  static ByteBuf buf(byte[] b) {
    return Unpooled.wrappedBuffer(b);
  }

  static String digest(byte[] b) {
    try {
      return b.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Everything {@code reader} yields, as sorted digests per partition; releases every batch. */
  static Map<Integer, List<String>> readAll(ShuffleReader reader) {
    Map<Integer, List<String>> out = new TreeMap<>();
    try (reader) {
      while (reader.hasNext()) {
        ReadBatch b = reader.next();
        try {
          out.computeIfAbsent(b.partition(), p -> new ArrayList<>())
              .add(digest(ByteBufUtil.getBytes(b.payload())));
        } finally {
          b.release();
        }
      }
    }
    out.values().forEach(l -> l.sort(null));
    return out;
  }

  static Map<Integer, List<String>> sorted(Map<Integer, List<String>> m) {
    Map<Integer, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> {
      if (!v.isEmpty()) {
        List<String> c = new ArrayList<>(v);
        c.sort(null);
        out.put(k, c);
      }
    });
    return out;
  }
}
