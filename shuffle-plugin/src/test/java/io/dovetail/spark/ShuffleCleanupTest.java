package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.DovetailClient;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.ShuffleStatus;
import io.dovetail.testkit.Await;
import java.time.Duration;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.shuffle.dovetail.DovetailShuffleManager;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

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
      assertThat(Jobs.reduceByKey(s)).isNotEmpty(); // its RDDs are garbage once it returns
      DovetailShuffleManager manager = (DovetailShuffleManager) SparkEnv.get().shuffleManager();
      DovetailClient client = manager.runtime().client(manager.runtime().metadataAddress());
      assertThat(shuffles(client)).as("the job's shuffle, in the store").hasSize(1);

      Await.until(Duration.ofSeconds(60), "Spark's cleaner removes the shuffle from the store",
          () -> {
            System.gc();
            return shuffles(client).isEmpty();
          });
    } finally {
      s.stop();
    }
  }

  private static List<ShuffleStatus> shuffles(DovetailClient client) {
    return client.metadata().admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getShufflesList();
  }
}
