package io.dovetail.common.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.util.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Who releases a request's body when its write fails. */
class TransportClientWriteTest {

  private static PushRequest push(ByteBuf payload) {
    BatchHeader h = new BatchHeader(0, 1, 0, (byte) 0, 1, payload.readableBytes(), 0);
    return new PushRequest("app", 1, -1, (byte) 0, List.of(), List.of(new PushBatch(0, 0, h)),
        payload);
  }

  /**
   * The connection closed after request() checked it and before the write ran: the pipeline is
   * torn down, so the request reaches Netty's head, which fails the write and drops the message
   * without releasing it (it is not reference-counted). The client must release the body.
   */
  @Test
  void aWriteThatNeverReachedTheEncoderReleasesTheBody() {
    EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        promise.setFailure(new ClosedChannelException()); // as the head does on a closed channel
      }
    });
    TransportClient client = new TransportClient(ch, new HostPort("127.0.0.1", 1), 60_000);
    ByteBuf payload = Unpooled.directBuffer(1024).writeZero(1024);
    CompletableFuture<?> answer = client.request(push(payload));
    ch.runPendingTasks();
    assertThat(payload.refCnt()).as("the body is released").isZero();
    assertThat(answer).isCompletedExceptionally();
    answer.exceptionally(e -> {
      assertThat(((DovetailException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
      return null;
    });
    ch.finishAndReleaseAll();
  }

  /** A write that fails after the encoder took the body over must not release it again. */
  @Test
  void aWriteThatFailsAfterEncodingLeavesTheBodyToNetty() {
    EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        io.netty.util.ReferenceCountUtil.release(msg); // the head releases encoded buffers
        promise.setFailure(new ClosedChannelException());
      }
    }, FrameEncoder.INSTANCE);
    TransportClient client = new TransportClient(ch, new HostPort("127.0.0.1", 1), 60_000);
    ByteBuf payload = Unpooled.directBuffer(1024).writeZero(1024);
    payload.retain(); // the test's own reference, to see how many the failed write dropped
    CompletableFuture<?> answer = client.request(push(payload));
    ch.runPendingTasks();
    assertThat(payload.refCnt()).as("released once, by the head").isEqualTo(1);
    assertThat(answer).isCompletedExceptionally();
    payload.release();
    ch.finishAndReleaseAll();
  }
}
