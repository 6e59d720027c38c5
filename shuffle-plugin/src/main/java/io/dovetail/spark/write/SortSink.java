package io.dovetail.spark.write;

import java.util.Arrays;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.shuffle.dovetail.SparkBridge;

/**
 * Serializes every record at once into one arena, remembering (partition, offset) in a long per
 * record. When the arena reaches the buffer limit (and at the end) the pointers are sorted, which
 * groups records by partition in arrival order, and each partition's records are compressed into
 * batches and pushed. Needs a serializer whose records can be relocated (each record's bytes
 * decode on their own), as Kryo's and Spark SQL's are. Memory: the buffer limit plus 8 bytes per
 * record, whatever the number of partitions. Not thread-safe.
 *
 * <p>Arena layout: {@code length:int32 bytes} per record; pointer = partition << 32 | offset.
 */
final class SortSink implements RecordSink {
  private final GrowableBuffer scratch = new GrowableBuffer(4096);
  private final SerializationStream stream;
  private final BatchPusher out;
  private final int batchSize;
  private final long bufferLimit;
  private GrowableBuffer arena;
  private long[] pointers = new long[1024];
  private int count;

  SortSink(SerializerInstance serializer, BatchPusher out, int batchSize, long bufferLimit) {
    this.stream = serializer.serializeStream(scratch);
    this.out = out;
    this.batchSize = batchSize;
    this.bufferLimit = bufferLimit;
    this.arena = new GrowableBuffer((int) Math.min(bufferLimit, 1 << 20), growthCap(bufferLimit));
  }

  /** Doubling stops at the buffer limit; only a record larger than the limit goes beyond it. */
  private static int growthCap(long bufferLimit) {
    return (int) Math.min(bufferLimit, Integer.MAX_VALUE - 16);
  }

  @Override
  public void write(int partition, Object key, Object value) {
    scratch.reset(1 << 16);
    stream.writeKey(key, SparkBridge.OBJECT_TAG);
    stream.writeValue(value, SparkBridge.OBJECT_TAG);
    stream.flush();
    int len = scratch.size();
    if (count > 0 && (long) arena.size() + 4 + len > bufferLimit) {
      // Pushed before the record joins: the arena never grows past the limit for it (doubling a
      // full arena kept three times the limit alive while it copied).
      spill();
    }
    int offset = arena.size();
    arena.writeInt(len);
    arena.write(scratch.array(), 0, len);
    if (count == pointers.length) {
      pointers = Arrays.copyOf(pointers, count * 2);
    }
    pointers[count++] = ((long) partition << 32) | offset;
    if (arena.size() >= bufferLimit) {
      spill();
    }
  }

  /** The arena's allocated bytes, for tests. */
  int arenaCapacity() {
    return arena.capacity();
  }

  /** Sorts what is buffered by partition and pushes it. */
  private void spill() {
    if (count == 0) {
      return;
    }
    Arrays.sort(pointers, 0, count);
    byte[] bytes = arena.array();
    BatchPusher.Batch batch = null;
    int batchPartition = -1;
    try {
      for (int i = 0; i < count; i++) {
        int partition = (int) (pointers[i] >>> 32);
        int offset = (int) pointers[i];
        int len = arena.readInt(offset);
        if (batch != null && (partition != batchPartition || batch.uncompressedBytes() >= batchSize)) {
          BatchPusher.Batch done = batch;
          batch = null;
          done.push();
        }
        if (batch == null) {
          batch = out.open(partition, Math.min(batchSize, arena.size()));
          batchPartition = partition;
        }
        batch.write(bytes, offset + 4, len, 1);
      }
      if (batch != null) {
        BatchPusher.Batch done = batch;
        batch = null;
        done.push();
      }
    } finally {
      if (batch != null) {
        batch.discard();
      }
    }
    count = 0;
    arena.reset((int) Math.min(bufferLimit, 1 << 20));
    if (pointers.length > (1 << 20)) {
      pointers = new long[1024];
    }
  }

  @Override
  public void finish() {
    spill();
  }

  @Override
  public void release() {
    count = 0;
    arena = new GrowableBuffer(16, growthCap(bufferLimit));
    stream.close();
  }
}
