package org.apache.spark.shuffle.dovetail;

import io.dovetail.client.DovetailClient;
import io.dovetail.client.read.ShuffleReader;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.spark.read.BatchRecordIterator;
import java.util.Set;
import org.apache.spark.Aggregator;
import org.apache.spark.InterruptibleIterator;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.shuffle.ShuffleReadMetricsReporter;
import org.apache.spark.storage.ShuffleBlockId;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.collection.ExternalSorter;
import org.apache.spark.shuffle.checksum.RowBasedChecksum;
import scala.Function1;
import scala.Option;
import scala.Product2;
import scala.collection.Iterator;

/**
 * Reads partitions [startPartition, endPartition) of a shuffle, restricted to maps
 * [startMapIndex, endMapIndex), from the store, then aggregates and sorts as Spark's own reader
 * does. Lost or inconsistent data becomes a fetch failure so Spark recomputes the map stage.
 */
public final class DovetailShuffleReader<K, C> implements org.apache.spark.shuffle.ShuffleReader<K, C> {
  /** Store errors that mean the map output must be recomputed. */
  private static final Set<ErrorCode> RECOMPUTE = Set.of(ErrorCode.DATA_LOST,
      ErrorCode.INTEGRITY_MISMATCH, ErrorCode.MAPS_NOT_COMMITTED);

  private final DovetailShuffleHandle<K, ?, C> handle;
  private final int startMapIndex;
  private final int endMapIndex;
  private final int startPartition;
  private final int endPartition;
  private final TaskContext context;
  private final ShuffleReadMetricsReporter metrics;
  private final DovetailClient client;

  public DovetailShuffleReader(DovetailShuffleHandle<K, ?, C> handle, int startMapIndex,
      int endMapIndex, int startPartition, int endPartition, TaskContext context,
      ShuffleReadMetricsReporter metrics, DovetailClient client) {
    this.handle = handle;
    this.startMapIndex = startMapIndex;
    this.endMapIndex = endMapIndex;
    this.startPartition = startPartition;
    this.endPartition = endPartition;
    this.context = context;
    this.metrics = metrics;
    this.client = client;
  }

  /**
   * What a store failure becomes: a fetch failure (thrown as is, though Java counts it as checked)
   * when the map output must be recomputed, else the failure itself, and the task is retried.
   */
  private RuntimeException failure(DovetailException e) {
    if (RECOMPUTE.contains(e.code())) {
      throw SparkBridge.raise(SparkBridge.fetchFailed(handle.shuffleId(), startPartition,
          "Dovetail could not read shuffle " + handle.shuffleId() + " partitions " + startPartition
              + ".." + (endPartition - 1) + ": " + e.getMessage(), e));
    }
    return e;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Iterator<Product2<K, C>> read() {
    boolean allMaps = startMapIndex <= 0 && endMapIndex >= handle.numMaps();
    if (startPartition >= endPartition
        || (!allMaps && startMapIndex >= Math.min(endMapIndex, handle.numMaps()))) {
      // An empty range (AQE asks for one when every input of a stage is empty): no rows.
      return new InterruptibleIterator<>(context, scala.collection.Iterator$.MODULE$.empty());
    }
    ShuffleReader source;
    try {
      source = client.reader(handle.appId(), handle.shuffleId(), startPartition, endPartition,
          allMaps ? 0 : startMapIndex, allMaps ? -1 : Math.min(endMapIndex, handle.numMaps()));
    } catch (DovetailException e) {
      throw failure(e);
    }
    ShuffleDependency<K, ?, C> dep = handle.dependency();
    BatchRecordIterator records = new BatchRecordIterator(source, dep.serializer().newInstance(),
        SparkEnv.get().serializerManager(), handle.batchFormat(),
        new ShuffleBlockId(handle.shuffleId(), 0L, 0),
        metrics, this::failure, () -> context.taskMetrics().mergeShuffleReadMetrics());
    context.addTaskCompletionListener((TaskCompletionListener) ctx -> records.close());
    Iterator<Product2<K, C>> input = (Iterator) new InterruptibleIterator<>(context, records);

    Option<Aggregator<K, ?, C>> aggregator = (Option) dep.aggregator();
    Iterator<Product2<K, C>> result;
    if (dep.keyOrdering().isDefined()) {
      ExternalSorter sorter;
      if (aggregator.isDefined()) {
        Aggregator agg = aggregator.get();
        Aggregator merging = dep.mapSideCombine()
            ? new Aggregator((Function1) x -> x, agg.mergeCombiners(), agg.mergeCombiners())
            : agg;
        sorter = new ExternalSorter(context, Option.apply(merging), Option.empty(),
            Option.apply(dep.keyOrdering().get()), dep.serializer(), new RowBasedChecksum[0]);
      } else {
        sorter = new ExternalSorter(context, Option.empty(), Option.empty(),
            Option.apply(dep.keyOrdering().get()), dep.serializer(), new RowBasedChecksum[0]);
      }
      result = sorter.insertAllAndUpdateMetrics((Iterator) input);
    } else if (aggregator.isDefined()) {
      Aggregator agg = aggregator.get();
      result = dep.mapSideCombine()
          ? agg.combineCombinersByKey((Iterator) input, context)
          : agg.combineValuesByKey((Iterator) input, context);
    } else {
      return input;
    }
    return result instanceof InterruptibleIterator ? result
        : new InterruptibleIterator<>(context, result);
  }
}
