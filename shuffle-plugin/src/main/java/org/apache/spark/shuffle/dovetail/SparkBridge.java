package org.apache.spark.shuffle.dovetail;

import org.apache.spark.ShuffleDependency;
import org.apache.spark.scheduler.MapStatus;
import org.apache.spark.scheduler.MapStatus$;
import org.apache.spark.shuffle.FetchFailedException;
import org.apache.spark.shuffle.checksum.RowBasedChecksum;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.BlockManagerId$;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** Builds Spark's internal types the way Dovetail uses them. Stateless. */
public final class SparkBridge {
  /** Type tag for serializer calls whose static type is erased. */
  public static final ClassTag<Object> OBJECT_TAG = ClassTag$.MODULE$.Object();

  private SparkBridge() {}

  /**
   * The location every map output of shuffle {@code shuffleId} reports. It names no executor, so
   * losing an executor loses no output; a fetch failure against it makes Spark unregister exactly
   * this shuffle's outputs (and nothing else), which is what a lost partition requires: every map
   * wrote into it.
   */
  public static BlockManagerId location(int shuffleId) {
    String id = "dovetail-shuffle-" + shuffleId;
    return BlockManagerId$.MODULE$.apply(id, id, 1, Option.empty());
  }

  /**
   * @param checksum the order-independent checksum of the rows written ({@link #rowChecksums}),
   *     0 when Spark asked for none: with spark.sql.shuffle.orderIndependentChecksum.enabled Spark
   *     compares it across attempts of a map and retries what read a different output
   */
  public static MapStatus mapStatus(int shuffleId, long[] partitionBytes, long mapTaskId,
      long checksum) {
    return MapStatus$.MODULE$.apply(location(shuffleId), partitionBytes, mapTaskId, checksum);
  }

  /** The per-partition row checksums Spark asks this dependency's writers for; often none. */
  public static RowBasedChecksum[] rowChecksums(ShuffleDependency<?, ?, ?> dep) {
    return dep.rowBasedChecksums();
  }

  /** The value a map status reports for {@code checksums}; 0 when there are none. */
  public static long aggregatedChecksum(RowBasedChecksum[] checksums) {
    return checksums.length == 0 ? 0L : RowBasedChecksum.getAggregatedChecksumValue(checksums);
  }

  /**
   * A fetch failure that makes Spark recompute shuffle {@code shuffleId}'s map stage. Creating it
   * also records it in the running task's context, so Spark sees it even if it is wrapped.
   */
  public static FetchFailedException fetchFailed(int shuffleId, int partition, String message,
      Throwable cause) {
    return new FetchFailedException(location(shuffleId), shuffleId, -1L, -1, partition, message,
        cause);
  }

  /**
   * Throws {@code t} without declaring it: Spark expects a {@link FetchFailedException} to leave
   * the reader's iterator as is, and Scala does not check exceptions.
   */
  public static RuntimeException raise(Throwable t) {
    throw SparkBridge.<RuntimeException>uncheckedThrow(t);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T uncheckedThrow(Throwable t) throws T {
    throw (T) t;
  }
}
