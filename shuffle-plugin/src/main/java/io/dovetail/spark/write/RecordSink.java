package io.dovetail.spark.write;

/** Where a map task's partitioned records go. Not thread-safe. */
interface RecordSink {
  void write(int partition, Object key, Object value);

  /** Pushes everything still buffered. */
  void finish();

  /** Drops buffered data without pushing (the task failed). */
  void release();
}
