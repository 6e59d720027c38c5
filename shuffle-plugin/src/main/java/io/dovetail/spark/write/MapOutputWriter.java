package io.dovetail.spark.write;

import io.dovetail.client.CommitResult;
import io.dovetail.client.push.ShufflePusher;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.spark.SparkPluginConfig;
import io.dovetail.spark.codec.BatchFormat;
import org.apache.spark.Partitioner;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerManager;
import org.apache.spark.storage.ShuffleBlockId;
import scala.Product2;
import scala.collection.Iterator;

/**
 * Writes one map task's records to the store: partitions them, picks a sink by partition count and
 * serializer, pushes, and commits. Not thread-safe.
 */
public final class MapOutputWriter {
  private final ShufflePusher pusher;
  private final Partitioner partitioner;
  private final RecordSink sink;
  private final BatchPusher batches;
  private final boolean sorted;
  private long recordsWritten;

  public MapOutputWriter(ShufflePusher pusher, Partitioner partitioner, Serializer serializer,
      SerializerManager serializerManager, BatchFormat format, int shuffleId, long mapId,
      DovetailConf conf) {
    this.pusher = pusher;
    this.partitioner = partitioner;
    this.batches = new BatchPusher(pusher, serializerManager,
        new ShuffleBlockId(shuffleId, mapId, 0), format);
    int numPartitions = partitioner.numPartitions();
    int batchSize = (int) (long) conf.get(SparkPluginConfig.WRITER_BATCH);
    long bufferLimit = conf.get(SparkPluginConfig.WRITER_BUFFER);
    boolean relocatable = serializer.supportsRelocationOfSerializedObjects();
    this.sorted = numPartitions > conf.get(SparkPluginConfig.HASH_MAX_PARTITIONS) && relocatable;
    this.sink = sorted
        ? new SortSink(serializer.newInstance(), batches, batchSize, bufferLimit)
        : new HashSink(serializer.newInstance(), relocatable, batches, numPartitions, batchSize,
            bufferLimit);
  }

  /** True when records are sorted by partition in one buffer rather than kept per partition. */
  public boolean isSorted() {
    return sorted;
  }

  public void write(Iterator<? extends Product2<?, ?>> records) {
    while (records.hasNext()) {
      Product2<?, ?> r = records.next();
      Object key = r._1();
      sink.write(partitioner.getPartition(key), key, r._2());
      recordsWritten++;
    }
    sink.finish();
  }

  public CommitResult commit() {
    return pusher.commit();
  }

  public long recordsWritten() {
    return recordsWritten;
  }

  /** Compressed bytes pushed. */
  public long bytesWritten() {
    long total = 0;
    for (long b : pusher.partitionBytes()) {
      total += b;
    }
    return total;
  }

  /** Time spent waiting on the store (in-flight limit and acknowledgements). */
  public long storeWaitNanos() {
    return pusher.metrics().blockedNanos();
  }

  public void abort() {
    sink.release();
    pusher.close();
  }

  public void close() {
    pusher.close();
  }
}
