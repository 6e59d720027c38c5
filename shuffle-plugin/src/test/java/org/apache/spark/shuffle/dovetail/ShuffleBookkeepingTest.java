package org.apache.spark.shuffle.dovetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.DovetailClient;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.proto.ApplicationStatus;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.spark.DovetailRuntime;
import io.dovetail.testkit.Await;
import java.time.Duration;
import java.util.List;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.spark.codec.BatchFormat;
import org.apache.spark.SparkConf;
import org.apache.spark.shuffle.MigratableResolver;
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

  /**
   * Two drivers under one Spark application id (two clusters' app-&lt;second&gt;-0000, a fixed
   * spark.app.id) are two applications in the store: under one name they shared shuffles and
   * commits, and one read the other's map output.
   */
  @Test
  void twoDriversWithOneSparkIdAreTwoApplicationsInTheStore() {
    SparkConf conf = new SparkConf(false).set("spark.app.id", "app-20260101000000-0000")
        .set("spark.dovetail.metadata.address", address);
    DovetailShuffleManager one = new DovetailShuffleManager(conf, true);
    DovetailShuffleManager two = new DovetailShuffleManager(conf.clone(), true);
    try {
      assertThat(one.storeAppId()).startsWith("app-20260101000000-0000.")
          .isNotEqualTo(two.storeAppId());
      assertThat(two.storeAppId()).startsWith("app-20260101000000-0000.");
    } finally {
      one.stop();
      two.stop();
    }
  }

  /**
   * An application the metadata server dropped (its TTL ran out while the driver could not reach
   * it) is registered again by the driver's next heartbeat, so the application's later shuffles
   * can be registered (they failed with UNKNOWN_APPLICATION until the driver restarted).
   */
  @Test
  void theDriverRegistersItsApplicationAgainWhenTheMetadataServerDroppedIt() {
    SparkConf conf = new SparkConf(false).set("spark.app.id", "app-dropped")
        .set("spark.dovetail.metadata.address", address)
        .set("spark.dovetail.app.heartbeatInterval", "100ms");
    DovetailShuffleManager driver = new DovetailShuffleManager(conf, true);
    try (DovetailClient other = new DovetailClient("admin", cluster.metadataAddress(),
        new DovetailConf())) {
      driver.runtime().ensureApplication("app-dropped");
      assertThat(applications(other)).contains("app-dropped");
      // Returns only once the application is gone. Whether it is still absent a moment later
      // depends on the driver's next heartbeat (every 100 ms), so that is not asserted.
      other.unregisterApplication("app-dropped");

      Await.until(Duration.ofSeconds(30), "the driver registers its application again",
          () -> applications(other).contains("app-dropped"));
      driver.runtime().ensureApplication("app-dropped");
      assertThat(driver.runtime().client(address).registerShuffle("app-dropped", 3, 1, 1, 1)
          .getNumPartitions()).isEqualTo(1);
    } finally {
      driver.stop();
    }
  }

  /**
   * Executor decommissioning (spark.storage.decommission.enabled) and Spark SQL's skip-migration
   * cleanup cast the block resolver to MigratableResolver: it must be one, with nothing to move.
   */
  @Test
  void decommissioningFindsNoShuffleBlocksToMigrate() {
    DovetailShuffleManager executor = new DovetailShuffleManager(new SparkConf(false)
        .set("spark.app.id", "app-decommission")
        .set("spark.dovetail.metadata.address", address)
        .set("spark.dovetail.executor.warmUp", "false"), false);
    try {
      MigratableResolver resolver = (MigratableResolver) executor.shuffleBlockResolver();
      assertThat(resolver.getStoredShuffles().isEmpty()).isTrue();
      resolver.addShuffleToSkip(3);
    } finally {
      executor.stop();
    }
  }

  @Test
  void theDriverBeatsAtTheShorterOfItsIntervalAndTheServers() {
    assertThat(DovetailRuntime.heartbeatIntervalMs(10_000, 3_000)).isEqualTo(3_000);
    assertThat(DovetailRuntime.heartbeatIntervalMs(1_000, 3_000)).isEqualTo(1_000);
    assertThat(DovetailRuntime.heartbeatIntervalMs(1_000, 0)).isEqualTo(1_000);
  }

  private static List<String> applications(DovetailClient client) {
    return client.metadata().admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getApplicationsList().stream().map(ApplicationStatus::getAppId).toList();
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
