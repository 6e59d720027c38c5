package io.dovetail.storage.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.FetchChunkRequest;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.FrameDecoder;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.FrameException;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.StatusResponse;
import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.disk.DataDirs;
import io.dovetail.storage.memory.ChunkPool;
import io.dovetail.storage.memory.MemoryBudget;
import io.dovetail.storage.partition.PartitionStore;
import io.dovetail.storage.partition.ShuffleId;
import io.dovetail.storage.replication.Replicator;
import io.dovetail.storage.stream.StreamManager;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.TestDirs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The request handler behind the real frame codec, on an EmbeddedChannel. */
@ExtendWith(NettyLeakDetectionExtension.class)
class StorageRequestHandlerTest {
  private final Random rnd = new Random(5);
  private DataDir dir;
  private MemoryBudget budget;
  private ChunkPool pool;
  private PartitionStore store;
  private ServerContext ctx;
  private EmbeddedChannel server;

  private void start(long memoryLimit, int maxFrame, long flushThreshold) throws Exception {
    dir = new DataDir(0, TestDirs.create("handler"), 0, 0, 1);
    dir.start();
    budget = new MemoryBudget(memoryLimit, memoryLimit);
    // Background work (pressure flushes, unlinking) is dropped: the tests free memory by hand.
    pool = new ChunkPool(UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, budget);
    store = new PartitionStore(new DataDirs(List.of(dir)), budget, pool, r -> { }, Clock.systemUTC(),
        flushThreshold, 0, 60_000);
    store.incarnation(3);
    ctx = new ServerContext(store, new StreamManager(1 << 20), budget,
        new Replicator(new DovetailConf(), Runnable::run), Runnable::run);
    ctx.incarnation(3);
    StorageRequestHandler handler = new StorageRequestHandler(ctx);
    server = new EmbeddedChannel(new FrameDecoder(maxFrame, budget), FrameEncoder.INSTANCE,
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext c, Object msg) {
            handler.handle(c.channel(), (Message) msg);
          }

          @Override
          public void channelInactive(ChannelHandlerContext c) {
            handler.channelClosed(c.channel());
          }
        });
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.finishAndReleaseAll();
    }
    if (dir != null) {
      dir.stop(Duration.ofSeconds(10));
    }
    if (store != null) {
      store.close();
      pool.close();
      assertThat(budget.used()).isZero();
    }
  }

  private PushRequest push(String app, int shuffle, long incarnation, int partition,
      int... sizes) {
    List<PushBatch> batches = new ArrayList<>();
    int total = 0;
    for (int s : sizes) {
      total += s;
    }
    ByteBuf payloads = PooledByteBufAllocator.DEFAULT.directBuffer(total);
    int seq = 0;
    for (int s : sizes) {
      byte[] p = new byte[s];
      rnd.nextBytes(p);
      CRC32C crc = new CRC32C();
      crc.update(p);
      payloads.writeBytes(p);
      batches.add(new PushBatch(partition, 0, new BatchHeader(0, 1, seq++, (byte) 0, 1, s,
          (int) crc.getValue())));
    }
    return (PushRequest) new PushRequest(app, shuffle, incarnation, (byte) 0, List.of(), batches,
        payloads).requestId(seq + 100L * partition);
  }

  /** The bytes a client would send for {@code m}. */
  private static List<ByteBuf> frame(Message m) {
    EmbeddedChannel enc = new EmbeddedChannel(FrameEncoder.INSTANCE);
    enc.writeOutbound(m);
    List<ByteBuf> out = new ArrayList<>();
    for (Object o; (o = enc.readOutbound()) != null; ) {
      out.add((ByteBuf) o);
    }
    enc.finishAndReleaseAll();
    return out;
  }

  private void send(Message m) {
    List<ByteBuf> bufs = frame(m);
    int i = 0;
    try {
      for (; i < bufs.size(); i++) {
        server.writeInbound(bufs.get(i));
      }
    } finally {
      for (i++; i < bufs.size(); i++) {
        bufs.get(i).release();
      }
    }
  }

  /** Decodes what the server wrote back. */
  private List<Message> responses() {
    EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE));
    for (Object o; (o = server.readOutbound()) != null; ) {
      dec.writeInbound(o);
    }
    List<Message> out = new ArrayList<>();
    for (Object o; (o = dec.readInbound()) != null; ) {
      out.add((Message) o);
    }
    dec.finishAndReleaseAll();
    return out;
  }

  @Test
  void pushIsAnsweredAndItsFrameReleasedAtOnce() throws Exception {
    start(1 << 20, 256 * 1024, 1 << 20);
    send(push("app", 1, 3, 0, 100, 2000, 0));
    List<Message> r = responses();
    assertThat(r).singleElement().isInstanceOf(PushResponse.class);
    assertThat(((PushResponse) r.get(0)).isOk()).isTrue();
    assertThat(r.get(0).requestId()).isEqualTo(3);
    // What stays accounted is the partition buffer: one small first chunk.
    assertThat(budget.used()).isEqualTo(8 * 1024);
    send(push("app", 1, 4, 0, 10));
    PushResponse stale = (PushResponse) responses().get(0);
    assertThat(stale.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
    assertThat(stale.failures()).containsExactly(
        new PushResponse.Failure(0, ErrorCode.STALE_INCARNATION));
  }

  @Test
  void fullBudgetStopsReadingUntilMemoryIsFreed() throws Exception {
    // 600k of budget; a 200k frame needs 400k while it is copied.
    start(600 * 1024, 256 * 1024, 1 << 30);
    send(push("app", 1, 3, 0, 200_000));
    assertThat(((PushResponse) responses().get(0)).isOk()).isTrue();
    long held = budget.used();
    assertThat(held).isGreaterThan(200_000);
    send(push("app", 2, 3, 0, 200_000));
    assertThat(responses()).as("second frame waits for memory").isEmpty();
    assertThat(server.config().isAutoRead()).isFalse();
    assertThat(budget.waitingBytes()).isPositive();
    assertThat(budget.peak()).isLessThanOrEqualTo(600 * 1024);

    store.removeShuffle(new ShuffleId("app", 1));
    server.runPendingTasks();
    List<Message> r = responses();
    assertThat(r).singleElement().satisfies(m ->
        assertThat(((PushResponse) m).isOk()).isTrue());
    assertThat(server.config().isAutoRead()).isTrue();
    assertThat(budget.peak()).isLessThanOrEqualTo(600 * 1024);
  }

  @Test
  void frameThatCanNeverFitTheBudgetIsRefusedAsTooLarge() throws Exception {
    // The decoder allows 1m frames but the budget cannot hold a 600k frame and its copy.
    start(1 << 20, 1 << 20, 1 << 20);
    PushRequest big = push("app", 1, 3, 0, 600_000);
    assertThatThrownBy(() -> send(big))
        .rootCause()
        .isInstanceOf(FrameException.class)
        .satisfies(e -> assertThat(((FrameException) e).code())
            .isEqualTo(ErrorCode.FRAME_TOO_LARGE))
        .hasMessageContaining("dovetail.storage.memoryLimit");
    assertThat(budget.used()).isZero();
  }

  @Test
  void responseMessagesSentAsRequestsCloseTheConnection() throws Exception {
    start(1 << 20, 256 * 1024, 1 << 20);
    send(new StatusResponse(ErrorCode.NONE, "hi").requestId(9));
    List<Message> r = responses();
    assertThat(r).singleElement().satisfies(m -> {
      assertThat(((StatusResponse) m).code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
      assertThat(m.requestId()).isEqualTo(9);
    });
    server.runPendingTasks();
    assertThat(server.isActive()).isFalse();
  }

  @Test
  void fetchOfAnUnknownStreamIsAClearError() throws Exception {
    start(1 << 20, 256 * 1024, 1 << 20);
    send(new FetchChunkRequest(12345, 0).requestId(1));
    assertThat(responses()).singleElement().satisfies(m -> {
      StatusResponse s = (StatusResponse) m;
      assertThat(s.code()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
      assertThat(s.message()).contains("12345").doesNotStartWith("UNKNOWN_STREAM");
    });
  }
}
