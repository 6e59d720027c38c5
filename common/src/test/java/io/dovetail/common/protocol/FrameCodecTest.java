package io.dovetail.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.common.transport.ReceivePool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakDetectionExtension.class)
class FrameCodecTest {

  /** Encodes {@code m} through the encoder and returns the wire bytes. */
  private static ByteBuf wire(Message m) {
    EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
    out.writeOutbound(m);
    ByteBuf all = Unpooled.buffer();
    Object o;
    while ((o = out.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      all.writeBytes(b);
      b.release();
    }
    out.finishAndReleaseAll();
    return all;
  }

  private static <T extends Message> T roundTrip(Message m) {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE));
    in.writeInbound(wire(m));
    @SuppressWarnings("unchecked")
    T decoded = (T) in.readInbound();
    assertThat((Object) in.readInbound()).isNull();
    in.finishAndReleaseAll();
    assertThat(decoded.requestId()).isEqualTo(m.requestId());
    return decoded;
  }

  private static PushRequest push(String app, byte[]... payloads) {
    List<PushBatch> batches = new ArrayList<>();
    ByteBuf body = Unpooled.buffer();
    for (int i = 0; i < payloads.length; i++) {
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(payloads[i]);
      batches.add(new PushBatch(i, 2, new BatchHeader(7, 99L, i, (byte) 0, 3, payloads[i].length,
          (int) crc.getValue())));
      body.writeBytes(payloads[i]);
    }
    return new PushRequest(app, 5, 42L, (byte) 0,
        List.of(new ReplicaTarget("127.0.0.1", 9401, 3L)), batches, body);
  }

  @Test
  void pushRoundTripKeepsEveryFieldAndPayload() {
    PushRequest sent = push("app-1", "hello".getBytes(StandardCharsets.UTF_8), new byte[0],
        "world!".getBytes(StandardCharsets.UTF_8));
    sent.requestId(17);
    PushRequest got = roundTrip(sent);
    try {
      assertThat(got.appId()).isEqualTo("app-1");
      assertThat(got.shuffleId()).isEqualTo(5);
      assertThat(got.expectedIncarnation()).isEqualTo(42L);
      assertThat(got.replicas()).containsExactly(new ReplicaTarget("127.0.0.1", 9401, 3L));
      assertThat(got.batches()).hasSize(3);
      assertThat(got.batches().get(2).header().length()).isEqualTo(6);
      assertThat(got.batches().get(1).partition()).isEqualTo(1);
      assertThat(got.payloads().toString(StandardCharsets.UTF_8)).isEqualTo("helloworld!");
    } finally {
      got.release();
    }
  }

  @Test
  void aForwardedPushTravelsAsItsOwnTypeAndTheFlagMustAgree() {
    PushRequest forwarded = push("app-1", new byte[] {1, 2}).forwardedCopy();
    assertThat(forwarded.type()).isEqualTo(MessageType.PUSH_FORWARD);
    forwarded.requestId(3);
    PushRequest got = roundTrip(forwarded);
    assertThat(got.isForwarded()).isTrue();
    assertThat(got.replicas()).isEmpty();
    got.release();
    PushRequest original = push("app-1", new byte[] {1, 2});
    original.release();
    // A PUSH_FORWARD frame whose body lacks the forwarded flag is refused.
    ByteBuf wire = wire(push("app-1", new byte[] {1}).requestId(4));
    wire.setByte(5, MessageType.PUSH_FORWARD.id());
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE));
    assertThatThrownBy(() -> in.writeInbound(wire)).isInstanceOf(DecoderException.class)
        .cause().satisfies(e -> assertThat(((FrameException) e).code())
            .isEqualTo(ErrorCode.MALFORMED_FRAME));
    in.finishAndReleaseAll();
  }

  @Test
  void everyOtherMessageRoundTrips() {
    StatusResponse s = roundTrip(StatusResponse.error(3, ErrorCode.DISK_FULL, "dir /a is full"));
    assertThat(s.code()).isEqualTo(ErrorCode.DISK_FULL);
    assertThat(s.message()).isEqualTo("dir /a is full");

    HelloRequest h = roundTrip(new HelloRequest("exec-1", "secret").requestId(4));
    assertThat(h.clientName()).isEqualTo("exec-1");
    assertThat(h.secret()).isEqualTo("secret");

    PushResponse pr = roundTrip(new PushResponse(ErrorCode.PARTITION_SEALED, "sealed",
        List.of(new PushResponse.Failure(1, ErrorCode.PARTITION_SEALED))).requestId(5));
    assertThat(pr.failures()).containsExactly(new PushResponse.Failure(1, ErrorCode.PARTITION_SEALED));

    SealRequest seal = roundTrip(new SealRequest("a", 1,
        List.of(new SealRequest.Target(3, 0), new SealRequest.Target(4, 1))).requestId(6));
    assertThat(seal.targets()).hasSize(2);

    OpenStreamRequest open = roundTrip(new OpenStreamRequest("a", 1, 3, 0, 9L, 2, 10,
        new int[] {2, 5}, new long[] {100L, 200L}).requestId(7));
    assertThat(open.committedMaps()).containsExactly(2, 5);
    assertThat(open.committedAttempts()).containsExactly(100L, 200L);
    OpenStreamRequest unfiltered = roundTrip(
        new OpenStreamRequest("a", 1, 3, 0, -1L, 0, 4, null, null).requestId(8));
    assertThat(unfiltered.hasFilter()).isFalse();

    StreamOpened so = roundTrip(new StreamOpened(11L, 3, 1000L, 12L).requestId(9));
    assertThat(so.numChunks()).isEqualTo(3);

    FetchChunkRequest f = roundTrip(new FetchChunkRequest(11L, 2).requestId(10));
    assertThat(f.chunkIndex()).isEqualTo(2);

    ChunkResponse c = roundTrip(new ChunkResponse(11L, 2,
        Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).requestId(11));
    try {
      assertThat(c.data().readableBytes()).isEqualTo(3);
    } finally {
      c.release();
    }
    CloseStreamRequest cs = roundTrip(new CloseStreamRequest(11L).requestId(12));
    assertThat(cs.streamId()).isEqualTo(11L);
  }

  /**
   * A SEAL names at most MAX_TARGETS partitions (each unknown one becomes an object on the
   * server); a longer one is refused at decode, and readers split theirs.
   */
  @Test
  void sealsAreSplitAndAnOversizedOneIsRefused() {
    List<SealRequest.Target> many = new ArrayList<>();
    for (int p = 0; p < 2 * SealRequest.MAX_TARGETS + 5; p++) {
      many.add(new SealRequest.Target(p, 0));
    }
    List<SealRequest> parts = SealRequest.split("a", 1, many);
    assertThat(parts).extracting(r -> r.targets().size())
        .containsExactly(SealRequest.MAX_TARGETS, SealRequest.MAX_TARGETS, 5);
    assertThat(parts.stream().flatMap(r -> r.targets().stream()).toList()).isEqualTo(many);
    assertThat(SealRequest.split("a", 1, List.of())).isEmpty();
    // Hand-made: a SEAL claiming one target more than allowed.
    ByteBuf over = Unpooled.buffer();
    int fields = 2 + 1 + 4 + 4 + (SealRequest.MAX_TARGETS + 1) * 8;
    over.writeInt(10 + fields).writeByte(FrameDecoder.VERSION).writeByte(MessageType.SEAL.id())
        .writeLong(1).writeShort(1).writeByte('a').writeInt(1)
        .writeInt(SealRequest.MAX_TARGETS + 1).writeZero((SealRequest.MAX_TARGETS + 1) * 8);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE));
    assertThatThrownBy(() -> in.writeInbound(over))
        .hasMessageContaining("FRAME_TOO_LARGE").hasMessageContaining("65536");
    in.finishAndReleaseAll();
  }

  @Test
  void framesSplitAcrossReadsAndBatchedInOneReadBothDecode() {
    ByteBuf a = wire(StatusResponse.ok(1));
    ByteBuf b = wire(StatusResponse.ok(2));
    ByteBuf all = Unpooled.wrappedBuffer(a, b);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE));
    while (all.isReadable()) {
      in.writeInbound(all.readRetainedSlice(Math.min(3, all.readableBytes())));
    }
    all.release();
    assertThat(((Message) in.readInbound()).requestId()).isEqualTo(1);
    assertThat(((Message) in.readInbound()).requestId()).isEqualTo(2);
    in.finishAndReleaseAll();
  }

  @Test
  void largeBodiesAreReceivedIntoThePoolAcrossReadsAndItsMemoryIsReused() {
    ReceivePool pool = new ReceivePool(8L << 20);
    byte[] data = new byte[300_000];
    new java.util.Random(7).nextBytes(data);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE, pool));
    for (int round = 0; round < 3; round++) {
      // A small frame, a pooled chunk and another small frame, arriving in odd-sized pieces.
      ByteBuf all = Unpooled.wrappedBuffer(wire(StatusResponse.ok(1)),
          wire(new ChunkResponse(9, round, Unpooled.wrappedBuffer(data))),
          wire(StatusResponse.ok(3)));
      while (all.isReadable()) {
        in.writeInbound(all.readRetainedSlice(Math.min(65_521, all.readableBytes())));
      }
      all.release();
      assertThat(((Message) in.readInbound()).requestId()).isEqualTo(1);
      ChunkResponse chunk = in.readInbound();
      assertThat(chunk.chunkIndex()).isEqualTo(round);
      assertThat(ByteBufUtil.getBytes(chunk.data())).isEqualTo(data);
      assertThat(pool.idleBytes()).isZero();
      ((Message) in.readInbound()).release();
      chunk.release();
      assertThat(pool.idleBytes()).as("released memory goes back to the pool").isEqualTo(512 * 1024);
    }
    assertThat(pool.reuseCount()).isEqualTo(2);
    assertThat(pool.allocatedBytes()).isEqualTo(512 * 1024);
    in.finishAndReleaseAll();
    pool.close();
    assertThat(pool.allocatedBytes()).isZero();
  }

  @Test
  void aConnectionClosedMidBodyReturnsItsPoolBuffer() {
    ReceivePool pool = new ReceivePool(8L << 20);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE, pool));
    ByteBuf frame = wire(new ChunkResponse(9, 0, Unpooled.wrappedBuffer(new byte[100_000])));
    in.writeInbound(frame.readRetainedSlice(70_000));
    frame.release();
    assertThat(pool.allocatedBytes()).isPositive();
    assertThat(pool.idleBytes()).isZero();
    in.finishAndReleaseAll();
    assertThat(pool.idleBytes()).isEqualTo(pool.allocatedBytes());
    pool.close();
  }

  private static ErrorCode rejectionOf(ByteBuf bytes) {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1024, FrameAdmission.NONE));
    try {
      in.writeInbound(bytes);
      throw new AssertionError("frame was accepted");
    } catch (DecoderException e) {
      return ((FrameException) e.getCause()).code();
    } finally {
      in.finishAndReleaseAll();
    }
  }

  private static ByteBuf header(int length, int version, int type) {
    return Unpooled.buffer().writeInt(length).writeByte(version).writeByte(type).writeLong(1);
  }

  /**
   * A frame whose body arrives a byte per read holds about what it received, not a 64-byte
   * buffer and a component per byte (about 70 times the length it was admitted for).
   */
  @Test
  void aBodyTrickledAByteAtATimeHoldsAboutWhatItReceived() {
    io.netty.buffer.UnpooledByteBufAllocator alloc =
        new io.netty.buffer.UnpooledByteBufAllocator(true);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, FrameAdmission.NONE));
    in.config().setAllocator(alloc);
    try {
      in.writeInbound(header(1 << 20, 1, 3)); // a PUSH of 1 MiB, of which only a trickle comes
      int sent = 50_000;
      for (int i = 0; i < sent; i++) {
        in.writeInbound(alloc.directBuffer(64).writeByte(i)); // what one tiny socket read holds
      }
      assertThat((Object) in.readInbound()).isNull();
      assertThat(alloc.metric().usedDirectMemory()).as("direct memory held for %d bytes", sent)
          .isLessThan(2L * sent);
    } finally {
      in.finishAndReleaseAll();
    }
    assertThat(alloc.metric().usedDirectMemory()).as("released with the connection").isZero();
  }

  @Test
  void badFramesAreRejectedWithTheirReason() {
    assertThat(rejectionOf(header(4, 1, 2))).isEqualTo(ErrorCode.MALFORMED_FRAME);
    assertThat(rejectionOf(header(1 << 20, 1, 2))).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    assertThat(rejectionOf(header(10, 9, 2))).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    assertThat(rejectionOf(header(10, 1, 77))).isEqualTo(ErrorCode.MALFORMED_FRAME);
    // A STATUS frame whose string length points past the end of the frame.
    assertThat(rejectionOf(header(14, 1, 2).writeShort(0).writeShort(500)))
        .isEqualTo(ErrorCode.MALFORMED_FRAME);
    // Trailing garbage after a complete CLOSE_STREAM.
    assertThat(rejectionOf(header(20, 1, 10).writeLong(5).writeShort(1)))
        .isEqualTo(ErrorCode.MALFORMED_FRAME);
    // A PUSH whose batch lengths disagree with its body, and one with a negative count.
    ByteBuf push = wire(push("a", new byte[] {1, 2, 3}).requestId(1));
    push.writerIndex(push.writerIndex() - 1);
    push.setInt(0, push.readableBytes() - 4);
    assertThat(rejectionOf(push)).isEqualTo(ErrorCode.MALFORMED_FRAME);
    ByteBuf negative = header(10 + 2 + 1 + 4 + 8 + 1 + 4, 1, 3);
    negative.writeShort(1).writeByte('a').writeInt(1).writeLong(1).writeByte(0).writeInt(-1);
    assertThat(rejectionOf(negative)).isEqualTo(ErrorCode.MALFORMED_FRAME);
    // Replica targets no server can have: a port out of range, an empty host.
    for (ReplicaTarget bad : List.of(new ReplicaTarget("127.0.0.1", 70_000, 1),
        new ReplicaTarget("127.0.0.1", 0, 1), new ReplicaTarget("", 9401, 1))) {
      PushRequest p = push("a", new byte[] {1});
      ByteBuf wire = wire(new PushRequest(p.appId(), p.shuffleId(), 1, (byte) 0, List.of(bad),
          p.batches(), p.payloads()).requestId(1));
      assertThat(rejectionOf(wire)).as(bad.toString()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }
  }

  @Test
  void admissionHoldsAFrameUntilWokenThenDecodesWithoutMoreBytes() {
    AtomicInteger reserved = new AtomicInteger();
    Runnable[] wake = new Runnable[1];
    boolean[] full = {true};
    FrameAdmission admission = new FrameAdmission() {
      @Override
      public int tryAdmit(MessageType type, int frameLength, Runnable wakeUp) {
        if (type != MessageType.PUSH) {
          return 0;
        }
        if (full[0]) {
          wake[0] = wakeUp;
          return -1;
        }
        reserved.addAndGet(frameLength);
        return frameLength;
      }

      @Override
      public void release(int bytes) {
        reserved.addAndGet(-bytes);
      }
    };
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, admission));
    in.writeInbound(wire(push("a", new byte[100]).requestId(1)));
    assertThat((Object) in.readInbound()).isNull();
    assertThat(in.config().isAutoRead()).isFalse();

    full[0] = false;
    wake[0].run();
    in.runPendingTasks();
    PushRequest got = in.readInbound();
    assertThat(got).isNotNull();
    assertThat(got.admittedBytes()).isPositive().isEqualTo(reserved.get());
    assertThat(in.config().isAutoRead()).isTrue();
    got.release();
    in.finishAndReleaseAll();
  }

  /** Refuses every PUSH, remembering the wake-ups it was given and those it was told to forget. */
  private static final class RefusingAdmission implements FrameAdmission {
    final List<Runnable> waiting = new ArrayList<>();
    final List<Runnable> cancelled = new ArrayList<>();

    @Override
    public int tryAdmit(MessageType type, int frameLength, Runnable wakeUp) {
      if (type != MessageType.PUSH) {
        return 0;
      }
      waiting.add(wakeUp);
      return -1;
    }

    @Override
    public void release(int bytes) {}

    @Override
    public void cancel(Runnable wakeUp) {
      cancelled.add(wakeUp);
    }
  }

  /** Counts the reads the handlers after it ask the channel for. */
  private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public void read(ChannelHandlerContext ctx) {
      reads.incrementAndGet();
      ctx.read();
    }
  }

  @Test
  void aConnectionWaitingForAdmissionAsksForNoMoreBytes() {
    RefusingAdmission admission = new RefusingAdmission();
    ReadCounter counter = new ReadCounter();
    EmbeddedChannel in = new EmbeddedChannel(counter, new FrameDecoder(1 << 20, admission));
    int before = counter.reads.get();
    ByteBuf frame = wire(push("a", new byte[4000]).requestId(1));
    in.writeInbound(frame.readRetainedSlice(1000));
    in.writeInbound(frame.readRetainedSlice(1000));
    frame.release();
    assertThat(admission.waiting).hasSize(1);
    assertThat(in.config().isAutoRead()).isFalse();
    // Reading must stop here: another read would take bytes no admission accounted for.
    assertThat(counter.reads.get()).isEqualTo(before);
    assertThat((Object) in.readInbound()).isNull();
    in.finishAndReleaseAll();
  }

  @Test
  void aConnectionClosedWhileWaitingCancelsItsWakeUp() {
    RefusingAdmission admission = new RefusingAdmission();
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(1 << 20, admission));
    in.writeInbound(wire(push("a", new byte[100]).requestId(1)));
    assertThat(admission.waiting).hasSize(1);
    in.finishAndReleaseAll();
    assertThat(admission.cancelled).containsExactlyElementsOf(admission.waiting);
    // A wake-up that comes anyway, with the channel's event loop gone, is harmless.
    admission.waiting.get(0).run();
  }

  @Test
  void pushRequestRejectsBodyThatDisagreesWithBatches() {
    ByteBuf body = Unpooled.buffer().writeBytes(new byte[5]);
    assertThatThrownBy(() -> new PushRequest("a", 1, -1, (byte) 0, List.of(),
        List.of(new PushBatch(0, 0, new BatchHeader(0, 1, 0, (byte) 0, 1, 4, 0))), body))
        .isInstanceOf(IllegalArgumentException.class);
    body.release();
  }
}
