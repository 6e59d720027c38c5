package io.dovetail.examples.terasort;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Runs the action that ends a job step and returns its rows. {@link #DIRECT} just collects;
 * {@link TeraPipeline} also learns the ids of the Spark jobs, to wait for their metrics.
 * Implementations are thread-safe.
 */
public interface Collector {
  /** Plain {@code rdd.collect()}. */
  Collector DIRECT = new Collector() {
    @Override
    public <T> List<T> collect(JavaRDD<T> rdd) {
      return rdd.collect();
    }
  };

  <T> List<T> collect(JavaRDD<T> rdd);
}
