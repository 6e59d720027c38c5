package org.apache.spark.shuffle.dovetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.DovetailConf;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** Spark settings the driver's shuffle manager applies unless the application set them. */
class DriverDefaultsTest {
  private static final String REMOVE_DELAY = "spark.standalone.executorRemoveDelayOnDisconnection";

  @Test
  void sparkSettingsFollowFromShuffleDataLivingInTheStore() {
    SparkConf spark = new SparkConf(false);
    DovetailShuffleManager.applyDriverDefaults(spark, new DovetailConf());
    assertThat(spark.get("spark.shuffle.sort.io.plugin.class"))
        .isEqualTo(DovetailShuffleDataIO.class.getName());
    assertThat(spark.get("spark.dynamicAllocation.shuffleTracking.enabled")).isEqualTo("false");
    assertThat(spark.get(REMOVE_DELAY)).isEqualTo("0s");
    assertThat(spark.get("spark.sql.adaptive.localShuffleReader.enabled")).isEqualTo("false");
  }

  @Test
  void whatTheApplicationSetWins() {
    SparkConf spark = new SparkConf(false)
        .set("spark.dynamicAllocation.shuffleTracking.enabled", "true")
        .set(REMOVE_DELAY, "7s")
        .set("spark.sql.adaptive.localShuffleReader.enabled", "true");
    DovetailShuffleManager.applyDriverDefaults(spark, new DovetailConf());
    assertThat(spark.get("spark.dynamicAllocation.shuffleTracking.enabled")).isEqualTo("true");
    assertThat(spark.get(REMOVE_DELAY)).isEqualTo("7s");
    assertThat(spark.get("spark.sql.adaptive.localShuffleReader.enabled")).isEqualTo("true");
  }

  @Test
  void theLocalShuffleReaderIsLeftAloneWhenDovetailIsToldTo() {
    SparkConf spark = new SparkConf(false);
    DovetailConf conf = new DovetailConf().set("dovetail.sql.disableLocalShuffleReader", "false");
    DovetailShuffleManager.applyDriverDefaults(spark, conf);
    assertThat(spark.contains("spark.sql.adaptive.localShuffleReader.enabled")).isFalse();
  }
}
