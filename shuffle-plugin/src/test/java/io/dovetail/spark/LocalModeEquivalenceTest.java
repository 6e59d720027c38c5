package io.dovetail.spark;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.DynamicTest;

/** Every job gives the same rows through Dovetail (embedded cluster) as through Spark's own shuffle, in local mode. */
class LocalModeEquivalenceTest {

  static SparkSession session(String shuffleManager) {
    return builder(shuffleManager).getOrCreate();
  }

  static SparkSession.Builder builder(String shuffleManager) {
    SparkSession.Builder b = SparkSession.builder().master("local[2]").appName("equivalence")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "23")
        .config("spark.dovetail.writer.batchSize", "16k");
    if (shuffleManager != null) {
      b.config("spark.shuffle.manager", shuffleManager);
    }
    return b;
  }

  @TestFactory
  List<DynamicTest> dovetailMatchesTheBuiltInShuffle() {
    var jobs = Jobs.all();
    Map<String, Object> builtIn = ShuffleEquivalence.runAll(() -> session(null), jobs);
    Map<String, Object> dovetail =
        ShuffleEquivalence.runAll(() -> session(ShuffleEquivalence.DOVETAIL), jobs);
    return ShuffleEquivalence.compare(builtIn, dovetail);
  }

  /**
   * RDD jobs with Kryo (relocatable: more than 400 partitions take the serialized-sort writer, and
   * fewer keep one stream per partition across batches) and the zstd codec (Spark's streams).
   */
  @TestFactory
  List<DynamicTest> withKryoAndZstd() {
    return rddJobsWithKryo("zstd");
  }

  /** The same with the LZ4 codec: Kryo records in LZ4 block batches. */
  @TestFactory
  List<DynamicTest> withKryoAndLz4Blocks() {
    return rddJobsWithKryo("lz4");
  }

  private List<DynamicTest> rddJobsWithKryo(String codec) {
    var jobs = Jobs.all();
    jobs.keySet().removeIf(name -> !name.startsWith("rdd"));
    java.util.function.Function<String, SparkSession> kryo = manager -> builder(manager)
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.io.compression.codec", codec).getOrCreate();
    Map<String, Object> builtIn = ShuffleEquivalence.runAll(() -> kryo.apply(null), jobs);
    Map<String, Object> dovetail =
        ShuffleEquivalence.runAll(() -> kryo.apply(ShuffleEquivalence.DOVETAIL), jobs);
    return ShuffleEquivalence.compare(builtIn, dovetail);
  }
}
