package io.dovetail.benchmarks.jmh;

import io.dovetail.spark.write.MapOutputWriter;
import java.util.concurrent.TimeUnit;
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
 * One map task's write path: 100,000 records (10 MB) serialized with Kryo, gathered per partition
 * (200 partitions) or sorted (2,000 partitions), compressed with LZ4, pushed and committed.
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
public class WritePathBenchmark {
  @Param({"200", "2000"})
  int partitions;

  @Param({"LZ4_BLOCK", "SPARK_STREAMS"})
  BatchFormat format;

  private ShufflePathState state;
  private Tuple2<byte[], byte[]>[] records;
  private int shuffle;
  private int map;

  /** Record bytes written per second, alongside JMH's map tasks per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long recordBytes;
  }

  @Setup(Level.Trial)
  public void setUp() {
    state = new ShufflePathState();
    records = ShufflePathState.records(100_000, 1);
  }

  @Setup(Level.Iteration)
  public void newShuffle() {
    shuffle = state.newShuffle(1_000_000, partitions);
    map = 0;
  }

  @Benchmark
  public long writeMapTask(Bytes bytes) {
    MapOutputWriter writer = new MapOutputWriter(
        state.client.pusher(ShufflePathState.APP, shuffle, map, map, 0),
        ShufflePathState.partitioner(partitions), state.serializer, state.serializerManager,
        format, shuffle, map, state.pluginConf);
    map++;
    writer.write(CollectionConverters.asScala(java.util.Arrays.asList(records).iterator()));
    writer.commit();
    writer.close();
    bytes.recordBytes += ShufflePathState.bytes(records);
    return writer.bytesWritten();
  }

  @TearDown(Level.Iteration)
  public void dropShuffle() {
    state.client.unregisterShuffle(ShufflePathState.APP, shuffle);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    state.close();
  }
}
