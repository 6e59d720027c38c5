package io.dovetail.spark.write;

import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.shuffle.dovetail.SparkBridge;

/**
 * One serialization stream per partition, writing into that partition's buffer. A partition whose
 * buffer reaches the batch size is compressed and pushed; when all buffers together exceed the
 * buffer limit, the largest are pushed early. A serializer whose records can be relocated (each
 * record's bytes decode on their own) keeps its stream across batches, flushed at each batch's
 * end; any other serializer's stream is closed with each batch, so every batch decodes alone.
 * Memory: the buffer limit plus one serializer stream per partition written to. Not thread-safe.
 */
final class HashSink implements RecordSink {
  private static final class Partition {
    final GrowableBuffer bytes = new GrowableBuffer(4096);
    SerializationStream stream;
    int records;
  }

  private final SerializerInstance serializer;
  private final boolean keepStreams;
  private final BatchPusher out;
  private final int batchSize;
  private final long bufferLimit;
  private final Partition[] partitions;
  private long buffered;

  HashSink(SerializerInstance serializer, boolean relocatable, BatchPusher out, int numPartitions,
      int batchSize, long bufferLimit) {
    this.serializer = serializer;
    this.keepStreams = relocatable;
    this.out = out;
    this.batchSize = batchSize;
    this.bufferLimit = bufferLimit;
    this.partitions = new Partition[numPartitions];
  }

  @Override
  public void write(int partition, Object key, Object value) {
    Partition p = partitions[partition];
    if (p == null) {
      p = partitions[partition] = new Partition();
    }
    if (p.stream == null) {
      p.stream = serializer.serializeStream(p.bytes);
    }
    int before = p.bytes.size();
    p.stream.writeKey(key, SparkBridge.OBJECT_TAG);
    p.stream.writeValue(value, SparkBridge.OBJECT_TAG);
    p.records++;
    int after = p.bytes.size();
    buffered += after - before;
    if (after >= batchSize) {
      push(partition);
    } else if (buffered > bufferLimit) {
      pushLargest();
    }
  }

  private void push(int partition) {
    Partition p = partitions[partition];
    int before = p.bytes.size();
    if (keepStreams) {
      p.stream.flush();
    } else {
      p.stream.close();
      p.stream = null;
    }
    int size = p.bytes.size();
    buffered += size - before;
    out.push(partition, p.bytes.array(), 0, size, p.records);
    buffered -= size;
    p.records = 0;
    p.bytes.reset(batchSize);
  }

  /** Pushes the largest partitions until half the buffer limit is free. */
  private void pushLargest() {
    while (buffered > bufferLimit / 2) {
      int largest = -1;
      int size = 0;
      for (int i = 0; i < partitions.length; i++) {
        Partition p = partitions[i];
        if (p != null && p.records > 0 && p.bytes.size() > size) {
          size = p.bytes.size();
          largest = i;
        }
      }
      if (largest < 0) {
        buffered = 0;
        return;
      }
      push(largest);
    }
  }

  @Override
  public void finish() {
    for (int i = 0; i < partitions.length; i++) {
      if (partitions[i] != null && partitions[i].records > 0) {
        push(i);
      }
    }
  }

  @Override
  public void release() {
    for (Partition p : partitions) {
      if (p != null && p.stream != null) {
        try {
          p.stream.close();
        } catch (RuntimeException ignored) {
          // The task failed already; nothing to save.
        }
      }
    }
    java.util.Arrays.fill(partitions, null);
    buffered = 0;
  }
}
