package org.apache.spark.shuffle.dovetail;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.shuffle.api.ShuffleDataIO;
import org.apache.spark.shuffle.api.ShuffleDriverComponents;
import org.apache.spark.shuffle.api.ShuffleExecutorComponents;
import org.apache.spark.shuffle.api.ShuffleMapOutputWriter;

/**
 * Tells Spark that shuffle output lives in reliable storage outside its executors
 * ({@code spark.shuffle.sort.io.plugin.class}, which {@link DovetailShuffleManager} sets unless
 * the application did). Spark then allows dynamic allocation with neither an external shuffle
 * service nor shuffle tracking, and losing an executor unregisters none of its map outputs and
 * reruns none of its map tasks. Stateless and thread-safe.
 */
public final class DovetailShuffleDataIO implements ShuffleDataIO {

  public DovetailShuffleDataIO(SparkConf conf) {}

  @Override
  public ShuffleDriverComponents driver() {
    return new ShuffleDriverComponents() {
      @Override
      public Map<String, String> initializeApplication() {
        return Map.of();
      }

      @Override
      public void cleanupApplication() {
        // The shuffle manager unregisters the application when the SparkContext stops.
      }

      /**
       * Spark's cleaner calls this, and only this, when a shuffle is garbage (its default does
       * nothing): unregister it with Dovetail, which deletes its files, and let every executor
       * forget it as Spark's own components do.
       */
      @Override
      public void removeShuffle(int shuffleId, boolean blocking) {
        SparkEnv env = SparkEnv.get();
        if (env != null) {
          env.shuffleManager().unregisterShuffle(shuffleId);
          env.blockManager().master().removeShuffle(shuffleId, blocking);
        }
      }

      @Override
      public boolean supportsReliableStorage() {
        return true;
      }
    };
  }

  /** Dovetail's writer never uses Spark's map output writers; asking for one is a bug. */
  @Override
  public ShuffleExecutorComponents executor() {
    return new ShuffleExecutorComponents() {
      @Override
      public void initializeExecutor(String appId, String execId,
          Map<String, String> extraConfigs) {}

      @Override
      public ShuffleMapOutputWriter createMapOutputWriter(int shuffleId, long mapTaskId,
          int numPartitions) {
        throw new UnsupportedOperationException("shuffle " + shuffleId
            + " is written by Dovetail's shuffle manager, not through Spark's map output writers");
      }
    };
  }
}
