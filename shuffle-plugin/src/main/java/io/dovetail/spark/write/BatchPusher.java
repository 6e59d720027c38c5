package io.dovetail.spark.write;

import io.dovetail.client.push.ShufflePusher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.spark.serializer.SerializerManager;
import org.apache.spark.storage.BlockId;

/**
 * Compresses (and, if configured, encrypts) serialized records with Spark's own codec into one
 * self-contained batch and pushes it. Every batch decodes on its own, so readers can take batches
 * in any order. Not thread-safe.
 */
final class BatchPusher {
  private final ShufflePusher pusher;
  private final SerializerManager serializerManager;
  private final BlockId blockId;
  private long records;
  private long compressNanos;

  BatchPusher(ShufflePusher pusher, SerializerManager serializerManager, BlockId blockId) {
    this.pusher = pusher;
    this.serializerManager = serializerManager;
    this.blockId = blockId;
  }

  /** A stream whose bytes become one batch of {@code partition} when closed through {@link #push}. */
  Batch open(int partition, int sizeHint) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(256, sizeHint / 2));
    OutputStream out = serializerManager.wrapStream(blockId, new ByteBufOutputStream(buf));
    return new Batch(partition, buf, out);
  }

  /** Compresses {@code len} serialized bytes holding {@code count} records and pushes them. */
  void push(int partition, byte[] bytes, int off, int len, int count) {
    Batch b = open(partition, len);
    b.write(bytes, off, len, count);
    b.push();
  }

  long records() {
    return records;
  }

  long compressNanos() {
    return compressNanos;
  }

  /** One batch being compressed. */
  final class Batch {
    private final int partition;
    private final ByteBuf buf;
    private final OutputStream out;
    private int count;
    private int uncompressed;

    private Batch(int partition, ByteBuf buf, OutputStream out) {
      this.partition = partition;
      this.buf = buf;
      this.out = out;
    }

    void write(byte[] bytes, int off, int len, int recordCount) {
      long start = System.nanoTime();
      try {
        out.write(bytes, off, len);
      } catch (IOException e) {
        buf.release();
        throw new UncheckedIOException(e);
      }
      compressNanos += System.nanoTime() - start;
      count += recordCount;
      uncompressed += len;
    }

    int uncompressedBytes() {
      return uncompressed;
    }

    int records() {
      return count;
    }

    /** Finishes compression and hands the batch to the pusher (which takes the buffer). */
    void push() {
      long start = System.nanoTime();
      try {
        out.close();
      } catch (IOException e) {
        buf.release();
        throw new UncheckedIOException(e);
      }
      compressNanos += System.nanoTime() - start;
      records += count;
      pusher.push(partition, buf, count);
    }

    void discard() {
      buf.release();
    }
  }
}
