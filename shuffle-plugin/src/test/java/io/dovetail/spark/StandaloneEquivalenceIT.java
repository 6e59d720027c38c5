package io.dovetail.spark;

import io.dovetail.testkit.TestDirs;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every job gives the same rows through Dovetail as through Spark's own shuffle on a real
 * standalone cluster: a Master, two Workers on two loopback hosts and two executor JVMs, with the
 * shaded plugin jar in SPARK_HOME and the embedded Dovetail cluster in the driver.
 */
class StandaloneEquivalenceIT {
  static SparkStandaloneCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new SparkStandaloneCluster(TestDirs.create("standalone"), true);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static SparkSession.Builder session(SparkStandaloneCluster cluster, String app) {
    return SparkSession.builder().master(cluster.masterUrl()).appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", "2")
        .config("spark.executor.memory", "1g")
        .config("spark.shuffle.readHostLocalDisk", "false")
        // Executors load the jobs' classes (lambdas of these tests) from here.
        .config("spark.executor.extraClassPath", testClasses())
        .config("spark.dovetail.writer.batchSize", "16k");
  }

  static String testClasses() {
    try {
      return java.nio.file.Path.of(Jobs.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  List<DynamicTest> dovetailMatchesTheBuiltInShuffle() {
    var jobs = Jobs.all();
    jobs.remove("rdd 10000 reduce partitions"); // covered in local mode; 10,000 tasks here is slow
    Map<String, Object> builtIn = ShuffleEquivalence.runAll(
        () -> session(cluster, "built-in").getOrCreate(), jobs);
    Map<String, Object> dovetail = ShuffleEquivalence.runAll(
        () -> session(cluster, "dovetail")
            .config("spark.shuffle.manager", ShuffleEquivalence.DOVETAIL).getOrCreate(), jobs);
    return ShuffleEquivalence.compare(builtIn, dovetail);
  }
}
