package io.dovetail.spark.write;

import io.dovetail.client.push.ShufflePusher;
import io.dovetail.spark.codec.BatchFormat;
import io.dovetail.spark.codec.Lz4Batches;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.spark.serializer.SerializerManager;
import org.apache.spark.storage.BlockId;

/**
 * Turns serialized records into one self-contained batch in the shuffle's {@link BatchFormat}
 * (compressed, and if configured encrypted, by Spark's own streams, or one LZ4 block) and pushes
 * it. Every batch decodes on its own, so readers can take batches in any order. Not thread-safe.
 */
final class BatchPusher {
  private final ShufflePusher pusher;
  private final SerializerManager serializerManager;
  private final BlockId blockId;
  private final BatchFormat format;
  /** Records of the open {@link BatchFormat#LZ4_BLOCK} batch, compressed when it is pushed. */
  private final GrowableBuffer staging = new GrowableBuffer(4096);
  private long records;
  private long compressNanos;

  BatchPusher(ShufflePusher pusher, SerializerManager serializerManager, BlockId blockId,
      BatchFormat format) {
    this.pusher = pusher;
    this.serializerManager = serializerManager;
    this.blockId = blockId;
    this.format = format;
  }

  /**
   * A batch of {@code partition} to write records into; only one may be open at a time. Its bytes
   * are pushed by {@link Batch#push}.
   */
  Batch open(int partition, int sizeHint) {
    if (format == BatchFormat.LZ4_BLOCK) {
      staging.reset(sizeHint);
      return new Batch(partition, null, staging);
    }
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(256, sizeHint / 2));
    OutputStream out = serializerManager.wrapStream(blockId, new ByteBufOutputStream(buf));
    return new Batch(partition, buf, out);
  }

  /** Compresses {@code len} serialized bytes holding {@code count} records and pushes them. */
  void push(int partition, byte[] bytes, int off, int len, int count) {
    if (format == BatchFormat.LZ4_BLOCK) {
      long start = System.nanoTime();
      ByteBuf payload = Lz4Batches.encode(bytes, off, len, PooledByteBufAllocator.DEFAULT);
      compressNanos += System.nanoTime() - start;
      records += count;
      pusher.push(partition, payload, count);
      return;
    }
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

  /** One batch being written: into Spark's streams, or staged for one LZ4 block. */
  final class Batch {
    private final int partition;
    /** The compressed bytes of Spark's streams; null for an LZ4 block batch. */
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
        discard();
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
      if (buf == null) {
        BatchPusher.this.push(partition, staging.array(), 0, staging.size(), count);
        return;
      }
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
      if (buf != null) {
        buf.release();
      }
    }
  }
}
