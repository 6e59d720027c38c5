package io.dovetail.common.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.FetchChunkRequest;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.StatusResponse;
import io.dovetail.common.util.HostPort;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakDetectionExtension.class)
class TransportTest {
  private TransportServer server;
  private TransportClientFactory factory;

  /** Answers FETCH_CHUNK with a chunk of chunkIndex bytes; anything else with an error. */
  private static final RequestHandler ECHO = new RequestHandler() {
    @Override
    public void handle(Channel channel, Message request) {
      if (request instanceof FetchChunkRequest f) {
        channel.writeAndFlush(new ChunkResponse(f.streamId(), f.chunkIndex(),
            Unpooled.wrappedBuffer(new byte[f.chunkIndex()])).requestId(request.requestId()));
      } else {
        request.release();
        channel.writeAndFlush(StatusResponse.error(request.requestId(), ErrorCode.UNKNOWN_STREAM,
            "no such thing"));
      }
    }
  };

  private void start(DovetailConf serverConf, DovetailConf clientConf) {
    server = new TransportServer("test", serverConf, "127.0.0.1", 0, 1, FrameAdmission.NONE, ECHO);
    factory = new TransportClientFactory("test", clientConf);
  }

  @AfterEach
  void stop() {
    if (factory != null) {
      factory.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void responsesMatchRequestsAndErrorsCarryTheirCode() throws Exception {
    start(new DovetailConf(), new DovetailConf());
    TransportClient c = factory.client(new HostPort("127.0.0.1", server.port()));
    var f1 = c.request(new FetchChunkRequest(1, 10));
    var f2 = c.request(new FetchChunkRequest(1, 20));
    ChunkResponse r2 = (ChunkResponse) f2.get();
    ChunkResponse r1 = (ChunkResponse) f1.get();
    assertThat(r1.data().readableBytes()).isEqualTo(10);
    assertThat(r2.data().readableBytes()).isEqualTo(20);
    r1.release();
    r2.release();
    assertThatThrownBy(() -> c.requestSync(new io.dovetail.common.protocol.CloseStreamRequest(9)))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_STREAM));
  }

  /**
   * A failed connect is remembered for dovetail.transport.connectFailFast: connects within it
   * fail at once, naming the failure, without touching the network; after it, or after a
   * success, connects are tried again.
   */
  @Test
  void aFailedConnectFailsFastForAWhile() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed: connects are refused
    }
    HostPort addr = new HostPort("127.0.0.1", port);
    try (TransportClientFactory remembering = new TransportClientFactory("ff",
        new DovetailConf().set("dovetail.transport.connectFailFast", "1h"))) {
      assertThatThrownBy(() -> remembering.connect(addr))
          .isInstanceOfSatisfying(DovetailException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
          .hasMessageNotContaining("not connecting");
      server = new TransportServer("test", new DovetailConf(), "127.0.0.1", port, 1,
          FrameAdmission.NONE, ECHO);
      // The server is up now, but within the window the factory does not try.
      assertThatThrownBy(() -> remembering.client(addr))
          .isInstanceOfSatisfying(DovetailException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
          .hasMessageContaining("not connecting to " + addr + ": a connect")
          .hasMessageContaining("ms ago failed");
    }
    try (TransportClientFactory brief = new TransportClientFactory("ff-brief",
        new DovetailConf().set("dovetail.transport.connectFailFast", "0"))) {
      ChunkResponse r = (ChunkResponse) brief.client(addr).requestSync(new FetchChunkRequest(1, 2));
      assertThat(r.data().readableBytes()).isEqualTo(2);
      r.release();
    }
  }

  /**
   * A failed connect, and the fail-fast window after it, says nothing against a connection to the
   * same peer that is open: the caller gets that one (it was told CONNECTION_FAILED for the slots
   * that were empty, and would reroute away from a healthy server).
   */
  @Test
  void aFailedConnectDoesNotHideAnOpenConnectionToTheSamePeer() throws Exception {
    start(new DovetailConf(), new DovetailConf());
    try (TcpRelay relay = new TcpRelay(server.port());
        TransportClientFactory pooled = new TransportClientFactory("pooled", new DovetailConf()
            .set("dovetail.transport.connectionsPerPeer", "4")
            .set("dovetail.transport.connectFailFast", "1h"))) {
      HostPort addr = new HostPort("127.0.0.1", relay.port());
      TransportClient open = pooled.client(addr);
      relay.stopAccepting(); // new connects are refused; the relayed one stays up
      assertThatThrownBy(() -> pooled.connect(addr))
          .isInstanceOfSatisfying(DovetailException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED));
      assertThat(pooled.failFastRemainingNanos(addr)).as("the failure is remembered").isPositive();
      ChunkResponse r = (ChunkResponse) open.requestSync(new FetchChunkRequest(1, 3));
      assertThat(r.data().readableBytes()).isEqualTo(3); // it answers: a live connection
      r.release();
      for (int i = 0; i < 20; i++) {
        assertThat(pooled.client(addr)).isSameAs(open);
      }
    }
  }

  /**
   * But not a connection that has been silent for longer than the connect timeout: open, it
   * may be half-dead (the host gone, the process frozen), and would hold every request for the
   * request timeout where failing the connect lets callers move on.
   */
  @Test
  void aFailedConnectDoesNotFallBackToASilentConnection() throws Exception {
    start(new DovetailConf(), new DovetailConf());
    try (TcpRelay relay = new TcpRelay(server.port());
        TransportClientFactory pooled = new TransportClientFactory("pooled", new DovetailConf()
            .set("dovetail.transport.connectionsPerPeer", "4")
            .set("dovetail.transport.connectTimeout", "300ms")
            .set("dovetail.transport.connectFailFast", "1h"))) {
      HostPort addr = new HostPort("127.0.0.1", relay.port());
      TransportClient open = pooled.client(addr);
      relay.stopAccepting();
      Await.until(Duration.ofSeconds(30), "the connection silent past the connect timeout",
          () -> open.nanosSinceLastRead() > java.util.concurrent.TimeUnit.MILLISECONDS
              .toNanos(300));
      int refused = 0;
      for (int i = 0; i < 40; i++) {
        try {
          assertThat(pooled.client(addr)).as("only its own slot").isSameAs(open);
        } catch (DovetailException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
          refused++;
        }
      }
      assertThat(refused).as("callers of the empty slots").isPositive();
    }
  }

  /** An interrupted connect is the caller's state: no fail-fast window for a healthy peer. */
  @Test
  void anInterruptedConnectIsNotRememberedAsAFailedOne() throws Exception {
    try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 50,
            java.net.InetAddress.getLoopbackAddress());
        TransportClientFactory f = new TransportClientFactory("interrupted", new DovetailConf()
            .set("dovetail.transport.connectTimeout", "60s")
            .set("dovetail.transport.connectFailFast", "1h"))) {
      HostPort addr = new HostPort("127.0.0.1", mute.getLocalPort());
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread caller = new Thread(() -> {
        try {
          f.client(addr);
        } catch (RuntimeException e) {
          failure.set(e);
        }
      }, "interrupted-connect");
      caller.start();
      Socket accepted = mute.accept(); // connected; the caller now waits for its HELLO's answer
      try {
        Await.until(Duration.ofSeconds(30), "the caller waits for the answer",
            () -> caller.getState() == Thread.State.TIMED_WAITING);
        caller.interrupt();
        caller.join(30_000);
        assertThat(failure.get()).isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        assertThat(f.failFastRemainingNanos(addr)).isZero();
      } finally {
        accepted.close();
      }
    }
  }

  /**
   * A peer that accepts connections but never answers (frozen): the connect fails once the
   * connect timeout has passed, as CONNECTION_FAILED, and is remembered, so the next caller fails
   * at once instead of waiting out a request timeout again.
   */
  @Test
  void aPeerThatAcceptsButNeverAnswersItsHelloIsAFailedConnect() throws Exception {
    try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 50,
            java.net.InetAddress.getLoopbackAddress());
        TransportClientFactory f = new TransportClientFactory("mute", new DovetailConf()
            .set("dovetail.transport.connectTimeout", "1s")
            .set("dovetail.transport.requestTimeout", "60s")
            .set("dovetail.transport.connectFailFast", "1h"))) {
      HostPort addr = new HostPort("127.0.0.1", mute.getLocalPort());
      assertThatThrownBy(() -> f.client(addr))
          .isInstanceOfSatisfying(DovetailException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
          .hasMessageContaining("did not answer its HELLO");
      assertThatThrownBy(() -> f.client(addr))
          .isInstanceOfSatisfying(DovetailException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
          .hasMessageContaining("not connecting to " + addr);
    }
  }

  /** Relays TCP connections to a port until told to stop accepting; relayed ones stay up. */
  private static final class TcpRelay implements AutoCloseable {
    private final java.net.ServerSocket listener;
    private final java.util.List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final java.util.concurrent.atomic.AtomicInteger accepted =
        new java.util.concurrent.atomic.AtomicInteger();

    TcpRelay(int targetPort) throws java.io.IOException {
      this(targetPort, new java.util.concurrent.CountDownLatch(0));
    }

    /** Relays each accepted connection only once {@code gate} opens. */
    TcpRelay(int targetPort, java.util.concurrent.CountDownLatch gate)
        throws java.io.IOException {
      listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            Socket in = listener.accept();
            sockets.add(in);
            accepted.incrementAndGet();
            gate.await();
            Socket out = new Socket("127.0.0.1", targetPort);
            sockets.add(out);
            pump(in, out);
            pump(out, in);
          }
        } catch (java.io.IOException | InterruptedException e) {
          // stopped accepting
        }
      }, "relay-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    void stopAccepting() throws java.io.IOException {
      listener.close();
    }

    private static void pump(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          in.transferTo(out);
        } catch (java.io.IOException e) {
          // one side closed
        }
      }, "relay-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws java.io.IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  /**
   * A connection made while a reader closed the peer's pool (it saw the peer fail) is pooled all
   * the same, so the next closeClients reaches it and later callers share it; it used to stay
   * open outside any pool until the factory closed.
   */
  @Test
  void aConnectionMadeWhileItsPoolWasClosedIsPooled() throws Exception {
    start(new DovetailConf(), new DovetailConf());
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    try (TcpRelay relay = new TcpRelay(server.port(), gate)) {
      HostPort addr = new HostPort("127.0.0.1", relay.port());
      var connecting = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> factory.client(addr));
      Await.until(Duration.ofSeconds(10), "connected, its HELLO unanswered",
          () -> relay.accepted() == 1);
      factory.closeClients(addr);
      gate.countDown();
      TransportClient c = connecting.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(factory.connected(addr)).as("pooled").isSameAs(c);
      factory.closeClients(addr);
      Await.until(Duration.ofSeconds(10), "closed with its pool", () -> !c.isActive());
    }
  }

  /** Peers that never answered leave no pool behind. */
  @Test
  void failedConnectsLeaveNoPoolBehind() throws Exception {
    start(new DovetailConf(), new DovetailConf().set(CommonConfig.CONNECT_FAIL_FAST.key(), "0"));
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    HostPort nobody = new HostPort("127.0.0.1", port);
    assertThatThrownBy(() -> factory.client(nobody)).isInstanceOf(DovetailException.class);
    assertThat(factory.pooledPeers()).doesNotContain(nobody);
  }

  @Test
  void wrongSecretIsRefusedAndRightSecretAccepted() {
    DovetailConf serverConf = new DovetailConf().set("dovetail.auth.secret", "s3cret");
    start(serverConf, new DovetailConf().set("dovetail.auth.secret", "wrong"));
    HostPort addr = new HostPort("127.0.0.1", server.port());
    assertThatThrownBy(() -> factory.client(addr))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
    try (TransportClientFactory good = new TransportClientFactory("good", serverConf)) {
      ChunkResponse r = (ChunkResponse) good.client(addr).requestSync(new FetchChunkRequest(1, 3));
      assertThat(r.data().readableBytes()).isEqualTo(3);
      r.release();
    }
  }

  /**
   * A peer that asks for data and then reads nothing is closed after the request timeout, and
   * what was being written to it is released (on a storage server: chunks of partition buffers,
   * charged to its memory budget for as long as the connection lived).
   */
  @Test
  void aPeerThatStopsReadingIsClosedAndItsAnswerReleased() throws Exception {
    java.util.concurrent.atomic.AtomicReference<io.netty.buffer.ByteBuf> answer =
        new java.util.concurrent.atomic.AtomicReference<>();
    RequestHandler big = (ch, m) -> {
      m.release();
      io.netty.buffer.ByteBuf data = Unpooled.wrappedBuffer(new byte[64 << 20]);
      answer.set(data);
      ch.writeAndFlush(new ChunkResponse(1, 0, data.retain()).requestId(m.requestId()));
    };
    server = new TransportServer("big", new DovetailConf()
        .set(CommonConfig.REQUEST_TIMEOUT.key(), "1s"), "127.0.0.1", 0, 1, FrameAdmission.NONE,
        big);
    io.netty.channel.embedded.EmbeddedChannel encoder =
        new io.netty.channel.embedded.EmbeddedChannel(FrameEncoder.INSTANCE);
    encoder.writeOutbound(new FetchChunkRequest(1, 0).requestId(1));
    io.netty.buffer.ByteBuf frame = encoder.readOutbound();
    byte[] request = new byte[frame.readableBytes()];
    frame.readBytes(request);
    frame.release();
    try (Socket stuck = new Socket("127.0.0.1", server.port())) {
      stuck.setReceiveBufferSize(64 << 10);
      stuck.getOutputStream().write(request);
      stuck.getOutputStream().flush();
      Await.until(Duration.ofSeconds(30), "the answer is being written",
          () -> answer.get() != null);
      Await.until(Duration.ofSeconds(30), "the server closes the connection",
          () -> server.connectionCount() == 0);
      Await.until(Duration.ofSeconds(10), "the answer released", () -> answer.get().refCnt() == 1);
      answer.get().release();
    }
  }

  @Test
  void garbageClosesOnlyItsOwnConnection() throws Exception {
    start(new DovetailConf(), new DovetailConf());
    HostPort addr = new HostPort("127.0.0.1", server.port());
    TransportClient good = factory.client(addr);
    try (Socket raw = new Socket("127.0.0.1", server.port())) {
      OutputStream out = raw.getOutputStream();
      byte[] junk = new byte[64];
      new java.util.Random(7).nextBytes(junk);
      junk[0] = 0x7f; // a length far beyond the frame limit
      out.write(junk);
      out.flush();
      InputStream in = raw.getInputStream();
      raw.setSoTimeout(10_000);
      // The server answers with an error frame and closes: read until end of stream.
      byte[] buf = new byte[256];
      int total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
      }
      assertThat(total).as("an error frame before the close").isGreaterThan(14);
    }
    ChunkResponse r = (ChunkResponse) good.requestSync(new FetchChunkRequest(1, 5));
    assertThat(r.data().readableBytes()).isEqualTo(5);
    r.release();
  }

  @Test
  void outstandingRequestsFailWhenTheServerGoesAway() {
    RequestHandler silent = (ch, m) -> m.release();
    server = new TransportServer("silent", new DovetailConf(), "127.0.0.1", 0, 1,
        FrameAdmission.NONE, silent);
    factory = new TransportClientFactory("test", new DovetailConf());
    TransportClient c = factory.client(new HostPort("127.0.0.1", server.port()));
    var pending = c.request(new FetchChunkRequest(1, 1));
    Await.until(Duration.ofSeconds(10), "request registered", () -> c.outstandingRequests() == 1);
    server.close();
    server = null;
    assertThatThrownBy(pending::get).hasCauseInstanceOf(DovetailException.class)
        .cause().satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.CONNECTION_FAILED));
  }

  @Test
  void unansweredRequestsTimeOut() {
    RequestHandler silent = (ch, m) -> m.release();
    server = new TransportServer("silent", new DovetailConf(), "127.0.0.1", 0, 1,
        FrameAdmission.NONE, silent);
    factory = new TransportClientFactory("test",
        new DovetailConf().set("dovetail.transport.requestTimeout", "2s"));
    TransportClient c = factory.client(new HostPort("127.0.0.1", server.port()));
    assertThatThrownBy(() -> c.requestSync(new FetchChunkRequest(1, 1)))
        .isInstanceOfSatisfying(DovetailException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
  }
}
