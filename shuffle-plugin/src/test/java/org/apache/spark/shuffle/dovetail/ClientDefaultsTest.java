package org.apache.spark.shuffle.dovetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.ClientConfig;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** Client settings derived from an application's Spark settings. */
class ClientDefaultsTest {
  @Test
  void anExecutorsClientHasAsManyEventLoopsAsTheExecutorHasCores() {
    DovetailConf conf = new DovetailConf();
    DovetailShuffleManager.applyClientDefaults(
        new SparkConf(false).set("spark.executor.cores", "3"), conf, false);
    assertThat(conf.get(CommonConfig.CLIENT_THREADS)).isEqualTo(3);
  }

  @Test
  void anExplicitSettingWinsAndTheDriverKeepsItsDefault() {
    SparkConf spark = new SparkConf(false).set("spark.executor.cores", "3");
    DovetailConf explicit = new DovetailConf().set(CommonConfig.CLIENT_THREADS.key(), "5");
    DovetailShuffleManager.applyClientDefaults(spark, explicit, false);
    assertThat(explicit.get(CommonConfig.CLIENT_THREADS)).isEqualTo(5);

    DovetailConf driver = new DovetailConf();
    DovetailShuffleManager.applyClientDefaults(spark, driver, true);
    assertThat(driver.get(CommonConfig.CLIENT_THREADS)).isZero();

    DovetailConf unset = new DovetailConf();
    DovetailShuffleManager.applyClientDefaults(new SparkConf(false), unset, false);
    assertThat(unset.get(CommonConfig.CLIENT_THREADS)).isZero();
  }

  @Test
  void readersPrefetchAsMuchAsSparksOwnReaderUnlessToldOtherwise() {
    SparkConf spark = new SparkConf(false).set("spark.reducer.maxSizeInFlight", "96m");
    DovetailConf conf = new DovetailConf();
    DovetailShuffleManager.applyClientDefaults(spark, conf, false);
    assertThat(conf.get(ClientConfig.READ_MAX_IN_FLIGHT)).isEqualTo(96L << 20);

    // A plain number is MiB, as Spark reads this key.
    DovetailConf plain = new DovetailConf();
    DovetailShuffleManager.applyClientDefaults(
        new SparkConf(false).set("spark.reducer.maxSizeInFlight", "96"), plain, false);
    assertThat(plain.get(ClientConfig.READ_MAX_IN_FLIGHT)).isEqualTo(96L << 20);
    DovetailConf kib = new DovetailConf();
    DovetailShuffleManager.applyClientDefaults(
        new SparkConf(false).set("spark.reducer.maxSizeInFlight", "4096k"), kib, false);
    assertThat(kib.get(ClientConfig.READ_MAX_IN_FLIGHT)).isEqualTo(4L << 20);

    DovetailConf explicit = new DovetailConf().set(ClientConfig.READ_MAX_IN_FLIGHT.key(), "8m");
    DovetailShuffleManager.applyClientDefaults(spark, explicit, false);
    assertThat(explicit.get(ClientConfig.READ_MAX_IN_FLIGHT)).isEqualTo(8L << 20);
  }
}
