package io.dovetail.spark.codec;

import java.util.Locale;
import org.apache.spark.SparkConf;

/**
 * How the serialized records of a batch become its payload. Chosen once per shuffle on the driver
 * and carried by its handle, so every writer and reader of the shuffle agrees.
 */
public enum BatchFormat {
  /**
   * Spark's own stream wrapping ({@code SerializerManager.wrapStream}): whatever compression codec
   * and I/O encryption the application configured.
   */
  SPARK_STREAMS,
  /**
   * One LZ4 block per batch ({@link Lz4Batches}): what Spark's LZ4 stream would do, without its
   * per-stream buffers, 32 KiB blocks and xxHash checksums (every batch already carries a CRC32C
   * checked end to end).
   */
  LZ4_BLOCK;

  /** Value of {@code dovetail.writer.batchFormat} that leaves the choice to {@link #choose}. */
  public static final String AUTO = "auto";

  /**
   * {@link #LZ4_BLOCK} when the application compresses shuffle data with LZ4 and does not encrypt
   * it and {@code requested} is {@link #AUTO}; otherwise {@link #SPARK_STREAMS}.
   */
  public static BatchFormat choose(SparkConf conf, String requested) {
    if (!AUTO.equals(requested)) {
      return SPARK_STREAMS;
    }
    boolean compress = conf.getBoolean("spark.shuffle.compress", true);
    boolean encrypt = conf.getBoolean("spark.io.encryption.enabled", false);
    String codec = conf.get("spark.io.compression.codec", "lz4").toLowerCase(Locale.ROOT);
    boolean lz4 = codec.equals("lz4")
        || codec.equals("org.apache.spark.io.lz4compressioncodec");
    return compress && !encrypt && lz4 ? LZ4_BLOCK : SPARK_STREAMS;
  }
}
