package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.DovetailClient;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.ShuffleStatus;
import io.dovetail.testkit.Await;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.shuffle.dovetail.DovetailShuffleManager;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * A shuffle whose RDD the application no longer references leaves the store while the
 * application runs: Spark's cleaner unregisters it once its dependency is garbage, which holds
 * only if the shuffle manager keeps no reference to the dependency (long-running applications,
 * notebooks and streaming queries create shuffles without end).
 */
class ShuffleCleanupTest {

  @Test
  void aShuffleNoLongerReferencedIsRemovedFromTheStoreWhileTheApplicationRuns() {
    SparkSession s = LocalModeEquivalenceTest.builder(ShuffleEquivalence.DOVETAIL)
        .appName("cleanup").getOrCreate();
    try {
      DovetailShuffleManager manager = (DovetailShuffleManager) SparkEnv.get().shuffleManager();
      DovetailClient client = manager.runtime().client(manager.runtime().metadataAddress());
      shuffleAndCheckItIsStored(s, client); // its RDDs are garbage once it returns

      Await.until(Duration.ofSeconds(60), "Spark's cleaner removes the shuffle from the store",
          () -> {
            System.gc();
            return shuffles(client).isEmpty();
          });
    } finally {
      s.stop();
    }
  }

  /**
   * Runs a one-shuffle job and checks the store holds its shuffle while the RDD is still
   * referenced here, so a collection cannot remove it before the check.
   */
  private static void shuffleAndCheckItIsStored(SparkSession s, DovetailClient client) {
    JavaPairRDD<Integer, Integer> sums = JavaSparkContext.fromSparkContext(s.sparkContext())
        .parallelize(List.of(1, 2, 3, 4, 5, 6), 3).mapToPair(i -> new Tuple2<>(i % 2, i))
        .reduceByKey(Integer::sum, 2);
    assertThat(sums.collect()).hasSize(2);
    assertThat(shuffles(client)).as("the job's shuffle, in the store").hasSize(1);
    Reference.reachabilityFence(sums);
  }

  private static List<ShuffleStatus> shuffles(DovetailClient client) {
    return client.metadata().admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getShufflesList();
  }
}
