package org.apache.spark.shuffle.dovetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.DovetailClient;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.spark.codec.BatchFormat;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the shuffle manager keeps per application and shuffle: the application's name in the
 * store tells a retried application attempt from the one before, and an executor drops the
 * layout it cached for a shuffle once Spark unregisters it, leaving the shuffle to the driver.
 */
class ShuffleBookkeepingTest {
  static EmbeddedCluster cluster;
  static String address;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().storageServers(1).build().start();
    address = cluster.metadataAddress().toString();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aRetriedApplicationAttemptHasItsOwnNameInTheStore() {
    SparkConf first = new SparkConf(false).set("spark.app.id", "application_1700000000000_0001");
    assertThat(DovetailShuffleManager.storeAppId(first))
        .isEqualTo("application_1700000000000_0001");
    SparkConf second = first.clone().set("spark.app.attempt.id", "2");
    assertThat(DovetailShuffleManager.storeAppId(second))
        .isEqualTo("application_1700000000000_0001_attempt-2");
  }

  @Test
  void anExecutorForgetsTheLayoutOfAnUnregisteredShuffleAndLeavesTheShuffle() {
    SparkConf conf = new SparkConf(false).set("spark.app.id", "app-bookkeeping")
        .set("spark.dovetail.metadata.address", address)
        .set("spark.dovetail.executor.warmUp", "false");
    DovetailShuffleManager executor = new DovetailShuffleManager(conf, false);
    try {
      DovetailClient client = executor.runtime().client(address);
      client.registerApplication("app-bookkeeping");
      client.registerShuffle("app-bookkeeping", 7, 1, 2, 1);
      DovetailShuffleHandle<Object, Object, Object> handle = new DovetailShuffleHandle<>(7, null,
          "app-bookkeeping", address, 1, 2, BatchFormat.SPARK_STREAMS);
      executor.getReader(handle, 0, 1, 0, 2, null, null);
      assertThat(client.hasLayout("app-bookkeeping", 7)).isTrue();

      executor.unregisterShuffle(7);

      assertThat(client.hasLayout("app-bookkeeping", 7)).as("layout dropped").isFalse();
      assertThat(client.layout("app-bookkeeping", 7).getNumPartitions())
          .as("the shuffle itself is the driver's to remove").isEqualTo(2);
    } finally {
      executor.stop();
    }
  }
}
