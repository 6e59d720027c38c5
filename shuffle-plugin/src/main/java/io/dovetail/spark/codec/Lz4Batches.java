package io.dovetail.spark.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The {@link BatchFormat#LZ4_BLOCK} payload: the serialized records of a batch compressed as one
 * LZ4 block, or stored as they are when that would not make them smaller.
 *
 * <pre>kind:int8 (0 stored, 1 lz4)  length:int32 (of the records)  data</pre>
 *
 * Encoding is stateless and thread-safe; a {@link Decoder} is not thread-safe.
 */
public final class Lz4Batches {
  static final byte STORED = 0;
  static final byte LZ4 = 1;
  static final int HEADER = 5;

  private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();
  private static final LZ4Compressor COMPRESSOR = LZ4_FACTORY.fastCompressor();
  private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4_FACTORY.safeDecompressor();

  private Lz4Batches() {}

  /**
   * The payload of {@code len} serialized bytes of {@code src}, in a direct buffer from alloc
   * whose capacity is less than twice what it holds: a pusher bounds its memory by the bytes it
   * holds in flight, and compressible records would otherwise keep buffers of their uncompressed
   * size (a run of zeros compresses 250 to 1).
   */
  public static ByteBuf encode(byte[] src, int off, int len, ByteBufAllocator alloc) {
    int max = COMPRESSOR.maxCompressedLength(len);
    ByteBuf out = alloc.directBuffer(HEADER + max);
    try {
      int compressed = COMPRESSOR.compress(ByteBuffer.wrap(src), off, len,
          out.nioBuffer(HEADER, max), 0, max);
      if (compressed < len) {
        out.setByte(0, LZ4).setInt(1, len).writerIndex(HEADER + compressed);
        if (out.writerIndex() < out.capacity() / 2) {
          out.capacity(out.writerIndex()); // a smaller buffer: copies the compressed bytes
        }
      } else {
        out.setByte(0, STORED).setInt(1, len).setBytes(HEADER, src, off, len)
            .writerIndex(HEADER + len);
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** Turns payloads back into their serialized records, reusing one buffer. */
  public static final class Decoder {
    private byte[] scratch = new byte[0];

    /**
     * A stream of the records of {@code payload}, valid until the next call. Does not take
     * ownership of the payload, which must stay alive while the stream is read.
     *
     * @throws IOException if the payload is not a well-formed batch of this format
     */
    public InputStream open(ByteBuf payload) throws IOException {
      int size = payload.readableBytes();
      if (size < HEADER) {
        throw new IOException("LZ4 batch of " + size + " bytes is shorter than its header");
      }
      int at = payload.readerIndex();
      byte kind = payload.getByte(at);
      int length = payload.getInt(at + 1);
      int data = size - HEADER;
      if (kind == STORED) {
        if (length != data) {
          throw new IOException("stored batch says " + length + " bytes but holds " + data);
        }
        return new ByteBufInputStream(payload.slice(at + HEADER, data), false);
      }
      if (kind != LZ4 || length < 0) {
        throw new IOException("not an LZ4 batch (kind " + kind + ", length " + length + ")");
      }
      if (scratch.length < length) {
        scratch = new byte[(int) Math.min(Integer.MAX_VALUE - 16L,
            Math.max(length, 2L * scratch.length))];
      }
      ByteBuffer src = payload.nioBufferCount() == 1 ? payload.nioBuffer(at + HEADER, data)
          : ByteBuffer.wrap(ByteBufUtil.getBytes(payload, at + HEADER, data));
      int n;
      try {
        n = DECOMPRESSOR.decompress(src, 0, data, ByteBuffer.wrap(scratch), 0, length);
      } catch (LZ4Exception e) {
        throw new IOException("corrupt LZ4 batch: " + e.getMessage(), e);
      }
      if (n != length) {
        throw new IOException("LZ4 batch decompressed to " + n + " bytes, not " + length);
      }
      return new ByteArrayInputStream(scratch, 0, length);
    }
  }
}
