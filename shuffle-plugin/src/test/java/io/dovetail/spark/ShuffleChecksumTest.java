package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.MapOutputTrackerMaster;
import org.apache.spark.ShuffleStatus;
import org.apache.spark.SparkEnv;
import org.apache.spark.scheduler.MapStatus;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * With spark.sql.shuffle.orderIndependentChecksum.enabled, Spark compares each map's output
 * checksum across its attempts and retries what read a different output (an indeterminate stage
 * run again). Dovetail's map statuses carried 0, so Spark never saw a difference.
 */
class ShuffleChecksumTest {

  @Test
  void mapStatusesCarryTheRowChecksumsSparkAskedFor() {
    SparkSession s = LocalModeEquivalenceTest.builder(ShuffleEquivalence.DOVETAIL)
        .appName("checksum")
        .config("spark.sql.shuffle.orderIndependentChecksum.enabled", "true")
        .getOrCreate();
    try {
      assertThat(s.range(0, 1000, 1, 4).repartition(10).collectAsList()).hasSize(1000);
      MapOutputTrackerMaster tracker = (MapOutputTrackerMaster) SparkEnv.get().mapOutputTracker();
      List<MapStatus> statuses = new ArrayList<>();
      for (ShuffleStatus st : CollectionConverters.asJava(tracker.shuffleStatuses()).values()) {
        for (MapStatus m : st.mapStatuses()) {
          if (m != null) {
            statuses.add(m);
          }
        }
      }
      assertThat(statuses).hasSize(4)
          .allSatisfy(m -> assertThat(m.checksumValue()).as("checksum").isNotZero());
    } finally {
      s.stop();
    }
  }
}
