package org.apache.spark.shuffle.dovetail;

import io.dovetail.client.CommitResult;
import io.dovetail.client.DovetailClient;
import io.dovetail.spark.write.MapOutputWriter;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.MapStatus;
import org.apache.spark.shuffle.ShuffleWriteMetricsReporter;
import org.apache.spark.shuffle.ShuffleWriter;
import org.apache.spark.shuffle.checksum.RowBasedChecksum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Product2;
import scala.collection.Iterator;

/**
 * Writes one map task's output through Dovetail: map-side combine when the dependency asks for
 * it, then {@link MapOutputWriter}. On success the attempt is committed and the map status carries
 * the committed per-partition sizes, which AQE uses to coalesce and split partitions.
 */
public final class DovetailShuffleWriter<K, V, C> extends ShuffleWriter<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(DovetailShuffleWriter.class);

  private final DovetailShuffleHandle<K, V, C> handle;
  private final TaskContext context;
  private final ShuffleWriteMetricsReporter metrics;
  private final MapOutputWriter writer;
  private MapStatus status;
  private long[] partitionLengths;
  private boolean stopped;

  public DovetailShuffleWriter(DovetailShuffleHandle<K, V, C> handle, long mapId,
      TaskContext context, ShuffleWriteMetricsReporter metrics, DovetailClient client,
      io.dovetail.common.config.DovetailConf conf) {
    this.handle = handle;
    this.context = context;
    this.metrics = metrics;
    ShuffleDependency<K, V, C> dep = handle.dependency();
    this.writer = new MapOutputWriter(
        // The task attempt id, not mapId: with spark.shuffle.useOldFetchProtocol Spark passes
        // the partition index as mapId, the same for every attempt of a map.
        client.pusher(handle.appId(), handle.shuffleId(), context.partitionId(),
            context.taskAttemptId(), context.stageId(), context.stageAttemptNumber()),
        dep.partitioner(), dep.serializer(), SparkEnv.get().serializerManager(),
        handle.batchFormat(), handle.shuffleId(), mapId, conf);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void write(Iterator<Product2<K, V>> records) {
    ShuffleDependency<K, V, C> dep = handle.dependency();
    Iterator<? extends Product2<?, ?>> input = records;
    if (dep.mapSideCombine()) {
      if (dep.aggregator().isEmpty()) {
        throw new IllegalStateException("map-side combine without an aggregator");
      }
      input = dep.aggregator().get().combineValuesByKey(records, context);
    }
    RowBasedChecksum[] checksums = SparkBridge.rowChecksums(dep);
    if (checksums.length > 0) {
      input = checksummed(input, checksums, dep.partitioner());
    }
    writer.write(input);
    CommitResult result = writer.commit();
    if (!result.committed()) {
      LOG.info("Map {} attempt {} of shuffle {}: attempt {} committed first", context.partitionId(),
          context.taskAttemptId(), handle.shuffleId(), result.winnerAttemptId());
    }
    partitionLengths = result.winnerPartitionBytes();
    metrics.incRecordsWritten(writer.recordsWritten());
    metrics.incBytesWritten(writer.bytesWritten());
    metrics.incWriteTime(writer.storeWaitNanos());
    status = SparkBridge.mapStatus(handle.shuffleId(), partitionLengths, context.taskAttemptId(),
        SparkBridge.aggregatedChecksum(checksums));
  }

  /** {@code records}, adding each to its partition's row checksum as it passes. */
  private static Iterator<? extends Product2<?, ?>> checksummed(
      Iterator<? extends Product2<?, ?>> records, RowBasedChecksum[] checksums,
      org.apache.spark.Partitioner partitioner) {
    return records.map(r -> {
      checksums[partitioner.getPartition(r._1())].update(r._1(), r._2());
      return r;
    });
  }

  @Override
  public Option<MapStatus> stop(boolean success) {
    if (stopped) {
      return Option.empty();
    }
    stopped = true;
    if (success && status != null) {
      writer.close();
      return Option.apply(status);
    }
    writer.abort();
    return Option.empty();
  }

  @Override
  public long[] getPartitionLengths() {
    return partitionLengths;
  }
}
