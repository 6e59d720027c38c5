package io.dovetail.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.ReplicaTarget;
import io.dovetail.common.transport.TransportServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forwards to replicas that cannot be reached or answer nonsense: the frame is never kept. */
class ReplicatorTest {
  private final ExecutorService connector = Executors.newFixedThreadPool(2);
  private final Replicator replicator = new Replicator(new DovetailConf(), connector);

  @AfterEach
  void tearDown() {
    replicator.close();
    connector.shutdownNow();
  }

  private static PushRequest push(ReplicaTarget target, ByteBuf payload, int batches) {
    int each = payload.readableBytes() / batches;
    CRC32C crc = new CRC32C();
    crc.update(payload.nioBuffer(payload.readerIndex(), each));
    List<PushBatch> list = new java.util.ArrayList<>();
    for (int i = 0; i < batches; i++) {
      list.add(new PushBatch(i, 0,
          new BatchHeader(0, 1, i, (byte) 0, 1, each, (int) crc.getValue())));
    }
    return new PushRequest("app", 1, -1, (byte) 0, List.of(target), list, payload);
  }

  /**
   * Forwards to a replica whose connect hangs wait for that one connect instead of taking every
   * connector thread, so a forward to another replica goes on meanwhile.
   */
  @Test
  void aHangingConnectHoldsOneConnectorThreadNotAll() throws Exception {
    Replicator patient = new Replicator(new DovetailConf()
        .set(CommonConfig.CONNECT_TIMEOUT.key(), "60s"), connector); // two threads
    TransportServer live = new TransportServer("live", new DovetailConf(), "127.0.0.1", 0, 1,
        FrameAdmission.NONE, (channel, request) -> {
          request.release();
          channel.writeAndFlush(new PushResponse(ErrorCode.NONE, "", List.of())
              .requestId(request.requestId()));
        });
    // Accepts connections in its backlog and never answers a HELLO.
    try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress())) {
      List<java.util.concurrent.CompletableFuture<Replicator.Result>> stuck =
          new java.util.ArrayList<>();
      List<PushRequest> sent = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        PushRequest req = push(new ReplicaTarget("127.0.0.1", mute.getLocalPort(), 3),
            Unpooled.directBuffer(8).writeLong(i), 1);
        stuck.add(patient.forward(req, null));
        sent.add(req);
      }
      PushRequest toLive = push(new ReplicaTarget("127.0.0.1", live.port(), 3),
          Unpooled.directBuffer(8).writeLong(9), 1);
      Replicator.Result result = patient.forward(toLive, null)
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      toLive.release();
      assertThat(result.ok()).isTrue();
      assertThat(stuck).as("still waiting for the hanging connect").noneMatch(
          java.util.concurrent.CompletableFuture::isDone);
      patient.close(); // fails the hanging connect, releasing what waited for it
      for (var f : stuck) {
        assertThat(f).succeedsWithin(Duration.ofSeconds(90));
      }
      sent.forEach(PushRequest::release);
    } finally {
      patient.close();
      live.close();
    }
  }

  /** An address no replica can have fails the batches, and the frame's buffer is released. */
  @Test
  void anInvalidReplicaAddressFailsTheBatchesAndKeepsNoBuffer() throws Exception {
    ByteBuf payload = Unpooled.directBuffer(8).writeLong(7);
    PushRequest req = push(new ReplicaTarget("127.0.0.1", -1, 3), payload, 1);
    Replicator.Result result = replicator.forward(req, null).get();
    req.release();
    assertThat(payload.refCnt()).as("no reference left behind").isZero();
    assertThat(result.failures()).containsExactly(
        new PushResponse.Failure(0, ErrorCode.REPLICATION_FAILED));
    assertThat(result.message()).contains("invalid replica address");
  }

  /**
   * A replica that answers with a batch index the frame does not have: the forward still
   * completes (before, it never did, and the primary kept the frame's memory and never answered
   * its client), with every batch failed.
   */
  @Test
  void aReplicaAnsweringAnUnknownBatchIndexFailsTheForward() throws Exception {
    int[] answers = {-1, 2}; // below 0, and past the two batches sent
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    TransportServer liar = new TransportServer("liar", new DovetailConf(), "127.0.0.1", 0, 1,
        FrameAdmission.NONE, (channel, request) -> {
          request.release();
          channel.writeAndFlush(new PushResponse(ErrorCode.INTERNAL, "x", List.of(
              new PushResponse.Failure(answers[next.getAndIncrement()], ErrorCode.INTERNAL)))
              .requestId(request.requestId()));
        });
    try {
      for (int round = 0; round < answers.length; round++) {
        ByteBuf payload = Unpooled.directBuffer(16).writeLong(7).writeLong(7);
        PushRequest req = push(new ReplicaTarget("127.0.0.1", liar.port(), 3), payload, 2);
        Replicator.Result result = replicator.forward(req, null)
            .get(30, java.util.concurrent.TimeUnit.SECONDS);
        req.release();
        assertThat(result.failures()).extracting(PushResponse.Failure::batchIndex)
            .containsExactly(0, 1);
        assertThat(result.message()).contains("batch index outside");
        io.dovetail.testkit.Await.until(Duration.ofSeconds(10), "the frame released",
            () -> payload.refCnt() == 0);
      }
    } finally {
      liar.close();
    }
  }
}
