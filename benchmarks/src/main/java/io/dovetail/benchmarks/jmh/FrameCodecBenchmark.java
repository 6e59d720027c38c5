package io.dovetail.benchmarks.jmh;

import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.FrameDecoder;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Encoding and decoding one PUSH frame of {@code batches} batches of {@code batchBytes}. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class FrameCodecBenchmark {
  @Param({"4", "64"})
  int batches;

  @Param({"4096", "262144"})
  int batchBytes;

  private EmbeddedChannel encoder;
  private EmbeddedChannel decoder;
  private List<PushBatch> headers;
  private ByteBuf payload;
  private ByteBuf wire;

  @Setup
  public void setUp() {
    encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    decoder = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE - 1024, FrameAdmission.NONE));
    headers = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      headers.add(new PushBatch(i, 0, new BatchHeader(i, 7L, i, (byte) 0, 100, batchBytes, 0)));
    }
    payload = PooledByteBufAllocator.DEFAULT.directBuffer(batches * batchBytes);
    payload.writerIndex(batches * batchBytes);
    encoder.writeOutbound(request());
    wire = Unpooled.directBuffer();
    Object o;
    while ((o = encoder.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      wire.writeBytes(b);
      b.release();
    }
  }

  private PushRequest request() {
    return new PushRequest("app-benchmark", 3, 11L, (byte) 0, List.of(), headers,
        payload.retainedDuplicate());
  }

  @Benchmark
  public int encode() {
    encoder.writeOutbound(request());
    int n = 0;
    Object o;
    while ((o = encoder.readOutbound()) != null) {
      n += ((ByteBuf) o).readableBytes();
      ((ByteBuf) o).release();
    }
    return n;
  }

  @Benchmark
  public int decode() {
    decoder.writeInbound(wire.retainedDuplicate());
    PushRequest r = decoder.readInbound();
    int n = r.batches().size();
    r.release();
    return n;
  }

  @TearDown
  public void tearDown() {
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
    payload.release();
    wire.release();
  }
}
