package io.dovetail.benchmarks.jmh;

import io.dovetail.client.read.ShuffleReader;
import io.dovetail.spark.read.BatchRecordIterator;
import io.dovetail.spark.write.MapOutputWriter;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.spark.executor.TempShuffleReadMetrics;
import org.apache.spark.storage.ShuffleBlockId;
import io.dovetail.spark.codec.BatchFormat;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One reduce task's read path over a committed shuffle of 8 maps x 100,000 records (80 MB in 32
 * partitions): plan, stream, verify checksums and counts, decompress, deserialize every record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dio.netty.leakDetection.level=disabled",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    // Spark's serializers reflect into these, as Spark's own launcher opens them.
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class ReadPathBenchmark {
  static final int MAPS = 8;
  static final int PARTITIONS = 32;

  @Param({"LZ4_BLOCK", "SPARK_STREAMS"})
  BatchFormat format;

  private ShufflePathState state;
  private int shuffle;
  private long totalBytes;

  /** Record bytes read per second, alongside JMH's whole-shuffle reads per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long recordBytes;
  }

  @Setup(Level.Trial)
  public void setUp() {
    state = new ShufflePathState();
    shuffle = state.newShuffle(MAPS, PARTITIONS);
    for (int m = 0; m < MAPS; m++) {
      Tuple2<byte[], byte[]>[] records = ShufflePathState.records(100_000, m);
      MapOutputWriter writer = new MapOutputWriter(
          state.client.pusher(ShufflePathState.APP, shuffle, m, m, 0),
          ShufflePathState.partitioner(PARTITIONS), state.serializer, state.serializerManager,
          format, shuffle, m, state.pluginConf);
      writer.write(CollectionConverters.asScala(Arrays.asList(records).iterator()));
      writer.commit();
      writer.close();
      totalBytes += ShufflePathState.bytes(records);
    }
  }

  @Benchmark
  public long readShuffle(Bytes bytes) {
    long n = 0;
    ShuffleReader source = state.client.reader(ShufflePathState.APP, shuffle, 0, PARTITIONS, 0, -1);
    BatchRecordIterator records = new BatchRecordIterator(source,
        state.serializer.newInstance(), state.serializerManager, format,
        new ShuffleBlockId(shuffle, 0L, 0), new TempShuffleReadMetrics(),
        e -> e, () -> { });
    while (records.hasNext()) {
      records.next();
      n++;
    }
    records.close();
    bytes.recordBytes += totalBytes;
    return n;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    state.close();
  }
}
