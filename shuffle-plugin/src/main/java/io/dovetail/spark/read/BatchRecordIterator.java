package io.dovetail.spark.read;

import io.dovetail.client.read.ReadBatch;
import io.dovetail.client.read.ShuffleReader;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.netty.buffer.ByteBufInputStream;
import io.dovetail.spark.codec.BatchFormat;
import io.dovetail.spark.codec.Lz4Batches;
import java.io.IOException;
import java.io.InputStream;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.serializer.SerializerManager;
import org.apache.spark.shuffle.ShuffleReadMetricsReporter;
import org.apache.spark.storage.BlockId;
import scala.Tuple2;
import scala.collection.AbstractIterator;
import scala.collection.Iterator;

/**
 * The records of every batch a {@link ShuffleReader} yields, in order. Each batch is decoded on its
 * own; the records it holds must equal the count its writer committed. Store failures surface as
 * the exception {@code onFailure} makes of them (a fetch failure, for Spark). Fills the read
 * metrics, and calls {@code onComplete} once after the last record. Not thread-safe.
 */
public final class BatchRecordIterator extends AbstractIterator<Tuple2<Object, Object>> {
  private final ShuffleReader source;
  private final SerializerInstance serializer;
  private final SerializerManager serializerManager;
  private final BlockId blockId;
  /** Decodes {@link BatchFormat#LZ4_BLOCK} payloads; null for Spark's streams. */
  private final Lz4Batches.Decoder lz4;
  private final ShuffleReadMetricsReporter metrics;
  private final Function<DovetailException, RuntimeException> onFailure;
  private final Runnable onComplete;
  private ReadBatch batch;
  private DeserializationStream stream;
  private Iterator<Tuple2<Object, Object>> records;
  private long recordsInBatch;
  private long reportedWaitNanos;
  private boolean done;

  public BatchRecordIterator(ShuffleReader source, SerializerInstance serializer,
      SerializerManager serializerManager, BatchFormat format, BlockId blockId,
      ShuffleReadMetricsReporter metrics, Function<DovetailException, RuntimeException> onFailure,
      Runnable onComplete) {
    this.source = source;
    this.serializer = serializer;
    this.serializerManager = serializerManager;
    this.lz4 = format == BatchFormat.LZ4_BLOCK ? new Lz4Batches.Decoder() : null;
    this.blockId = blockId;
    this.metrics = metrics;
    this.onFailure = onFailure;
    this.onComplete = onComplete;
  }

  @Override
  public boolean hasNext() {
    while (records == null || !records.hasNext()) {
      if (done) {
        return false;
      }
      finishBatch();
      if (!nextBatch()) {
        done = true;
        reportWait();
        onComplete.run();
        return false;
      }
    }
    return true;
  }

  @Override
  public Tuple2<Object, Object> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    recordsInBatch++;
    metrics.incRecordsRead(1);
    return records.next();
  }

  private boolean nextBatch() {
    try {
      if (!source.hasNext()) {
        return false;
      }
      batch = source.next();
    } catch (DovetailException e) {
      throw onFailure.apply(e);
    }
    reportWait();
    metrics.incRemoteBlocksFetched(1);
    metrics.incRemoteBytesRead(batch.payload().readableBytes());
    InputStream in;
    if (lz4 != null) {
      try {
        in = lz4.open(batch.payload());
      } catch (IOException e) {
        ReadBatch b = batch;
        batch = null;
        b.release();
        throw onFailure.apply(new DovetailException(ErrorCode.INTEGRITY_MISMATCH,
            "partition " + b.partition() + ", map " + b.mapIndex() + ": " + e.getMessage(), e));
      }
    } else {
      in = serializerManager.wrapStream(blockId, new ByteBufInputStream(batch.payload(), false));
    }
    stream = serializer.deserializeStream(in);
    records = stream.asKeyValueIterator();
    recordsInBatch = 0;
    return true;
  }

  private void finishBatch() {
    if (batch == null) {
      return;
    }
    ReadBatch b = batch;
    batch = null;
    records = null;
    try {
      stream.close();
    } finally {
      b.release();
    }
    if (recordsInBatch != b.recordCount()) {
      throw onFailure.apply(new DovetailException(ErrorCode.INTEGRITY_MISMATCH,
          "partition " + b.partition() + ", map " + b.mapIndex() + ": decoded " + recordsInBatch
              + " records from a batch committed with " + b.recordCount()));
    }
  }

  private void reportWait() {
    long wait = source.metrics().fetchWaitNanos();
    long delta = wait - reportedWaitNanos;
    if (delta >= 1_000_000) {
      long ms = TimeUnit.NANOSECONDS.toMillis(delta);
      metrics.incFetchWaitTime(ms);
      reportedWaitNanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }
  }

  /** Releases the batch being decoded (the task ends early or failed). */
  public void close() {
    if (batch != null) {
      ReadBatch b = batch;
      batch = null;
      try {
        stream.close();
      } catch (RuntimeException ignored) {
        // closing after a failure
      } finally {
        b.release();
      }
    }
    source.close();
  }
}
