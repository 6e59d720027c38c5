package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.FrameDecoder;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Garbage, malformed frames and wrong credentials on the data port: each closes only its own
 * connection with a stated reason; the server stays up and other connections keep working.
 */
@ExtendWith(NettyLeakDetectionExtension.class)
class BadInputTest {
  private static StorageServer server;
  private static DovetailConf conf;

  @BeforeAll
  static void start() {
    conf = TestServers.standalone("bad-input").set(CommonConfig.AUTH_SECRET.key(), "s3cret");
    server = TestServers.start(conf);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** What the server answers before closing a raw connection that sent {@code bytes}. */
  private static byte[] sendRaw(byte[] bytes) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.dataPort())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
        }
      } catch (java.net.SocketException e) {
        // Reset: the server closed with our unread bytes still queued. Closed all the same.
      }
      return out.toByteArray(); // the server closed the connection
    }
  }

  /** The error code of the last STATUS frame the server sent before closing. */
  private static ErrorCode closingReason(byte[] answer) {
    assertThat(answer.length).as("the server explains before closing").isGreaterThan(16);
    ByteBuffer b = ByteBuffer.wrap(answer);
    ErrorCode last = null;
    while (b.remaining() >= 16) {
      int start = b.position();
      int length = b.getInt();
      assertThat(b.get()).isEqualTo(FrameDecoder.VERSION);
      assertThat(b.get()).as("STATUS frame").isEqualTo((byte) 2);
      b.getLong();
      last = ErrorCode.fromCode(b.getShort());
      b.position(start + 4 + length);
    }
    return last;
  }

  private static byte[] header(int length, int version, int type) {
    return ByteBuffer.allocate(14).putInt(length).put((byte) version).put((byte) type)
        .putLong(1).array();
  }

  private static byte[] helloFrame(String secret) {
    byte[] name = "raw".getBytes(StandardCharsets.UTF_8);
    byte[] sec = secret.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(14 + 4 + name.length + sec.length);
    b.putInt(10 + 4 + name.length + sec.length).put(FrameDecoder.VERSION).put((byte) 1)
        .putLong(1).putShort((short) name.length).put(name).putShort((short) sec.length).put(sec);
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A good client still pushes and reads. */
  private static void serverStillWorks(int shuffle) {
    try (DataPlaneClient c = new DataPlaneClient(conf, "127.0.0.1", server.dataPort())) {
      TestBatch b = TestBatch.random(new Random(shuffle), 0, 0, 1, 0, 1000);
      assertThat(c.push("app-ok", shuffle, 0, List.of(b)).isOk()).isTrue();
      c.seal("app-ok", shuffle, 0);
      assertThat(c.readAll("app-ok", shuffle, 0, 0).batches()).singleElement()
          .satisfies(r -> assertThat(r.sameAs(b)).isTrue());
    }
  }

  @Test
  void randomBytesCloseTheConnection() throws Exception {
    Random rnd = new Random(99);
    for (int i = 0; i < 5; i++) {
      byte[] junk = new byte[64 + rnd.nextInt(4000)];
      rnd.nextBytes(junk);
      sendRaw(junk);
    }
    serverStillWorks(1);
  }

  @Test
  void malformedFramesAreRefusedWithTheirReason() throws Exception {
    byte[] hello = helloFrame("s3cret");
    assertThat(closingReason(sendRaw(concat(hello, header(3, 1, 3)))))
        .isEqualTo(ErrorCode.MALFORMED_FRAME);
    assertThat(closingReason(sendRaw(concat(hello, header(64 << 20, 1, 3)))))
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    assertThat(closingReason(sendRaw(concat(hello, header(10, 1, 99)))))
        .isEqualTo(ErrorCode.MALFORMED_FRAME);
    assertThat(closingReason(sendRaw(concat(hello, header(10, 7, 3)))))
        .isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    // A PUSH whose fields end early: it claims a batch but carries no batch table.
    byte[] fields = ByteBuffer.allocate(2 + 1 + 4 + 8 + 1 + 4 + 4).putShort((short) 1)
        .put((byte) 'a').putInt(1).putLong(-1).put((byte) 0).putInt(0).putInt(1).array();
    assertThat(closingReason(sendRaw(concat(hello, header(10 + fields.length, 1, 3), fields))))
        .isEqualTo(ErrorCode.MALFORMED_FRAME);
    serverStillWorks(2);
  }

  @Test
  void wrongSecretIsRefused() {
    DovetailConf wrong = conf.copy().set(CommonConfig.AUTH_SECRET.key(), "guess");
    assertThatThrownBy(() -> new DataPlaneClient(wrong, "127.0.0.1", server.dataPort()))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.AUTH_FAILED));
    serverStillWorks(3);
  }

  @Test
  void aHeaderBeforeHelloIsRefusedBeforeItHoldsAnyMemory() throws Exception {
    // Only the header of a 1 MiB PUSH, its body never sent: refused at the header. (It was
    // admitted before: 2 MiB of the budget held, by a peer without the secret, until it left.)
    assertThat(closingReason(sendRaw(header(1 << 20, 1, 3)))).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(server.peakMemoryUsedBytes()).as("nothing was ever admitted for it")
        .isLessThan(1 << 20);
    // A HELLO larger than any real one (two strings of at most 64 KiB) is refused at its header.
    assertThat(closingReason(sendRaw(header(200_000, 1, 1))))
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    serverStillWorks(4);
  }

  @Test
  void aFrameThatStopsArrivingClosesItsConnectionAndFreesItsMemory() throws Exception {
    DovetailConf quick = TestServers.standalone("stalled-frame")
        .set(CommonConfig.AUTH_SECRET.key(), "s3cret")
        .set(CommonConfig.REQUEST_TIMEOUT.key(), "1s");
    try (StorageServer s = TestServers.start(quick)) {
      // A peer that never authenticates is closed after the timeout, even mid-HELLO, and its
      // HELLO (at most 10 KiB) is never admitted against the budget.
      try (Socket silent = new Socket("127.0.0.1", s.dataPort());
          Socket dripping = new Socket("127.0.0.1", s.dataPort())) {
        dripping.getOutputStream().write(concat(header(FrameDecoder.MAX_HELLO_FRAME, 1, 1),
            new byte[100]));
        for (Socket peer : new Socket[] {silent, dripping}) {
          peer.setSoTimeout(30_000);
          assertThat(closingReason(peer.getInputStream().readAllBytes()))
              .isEqualTo(ErrorCode.AUTH_FAILED);
        }
        assertThat(s.peakMemoryUsedBytes()).isZero();
      }
      Socket socket = new Socket("127.0.0.1", s.dataPort());
      socket.setSoTimeout(30_000);
      // An authenticated peer sends the first 100 bytes of a 512 KiB PUSH, then nothing more.
      socket.getOutputStream().write(concat(helloFrame("s3cret"), header(512 << 10, 1, 3),
          new byte[100]));
      socket.getOutputStream().flush();
      // The peak, not the current use: the admission lasts only the 1 s timeout, which a slow
      // poll could miss.
      Await.until(Duration.ofSeconds(10), "the stalled frame is admitted",
          () -> s.peakMemoryUsedBytes() > 0);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) >= 0; ) {
        answer.write(buf, 0, n); // the HELLO's OK, then the reason; then the server closes
      }
      assertThat(closingReason(answer.toByteArray())).isEqualTo(ErrorCode.TIMEOUT);
      Await.until(Duration.ofSeconds(10), "its admission is given back",
          () -> s.memoryUsedBytes() == 0);
      socket.close();
    }
  }

  @Test
  void pushBeforeHelloIsRefusedAndItsMemoryGivenBack() throws Exception {
    long before = server.memoryUsedBytes();
    PushRequest push = DataPlaneClient.pushRequest("app-x", 1, -1, List.of(),
        List.of(TestBatch.random(new Random(4), 0, 0, 1, 0, 50_000)));
    EmbeddedChannel enc = new EmbeddedChannel(FrameEncoder.INSTANCE);
    enc.writeOutbound(push);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    for (Object o; (o = enc.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      byte[] a = new byte[b.readableBytes()];
      b.readBytes(a);
      b.release();
      frame.writeBytes(a);
    }
    enc.finishAndReleaseAll();
    assertThat(closingReason(sendRaw(frame.toByteArray()))).isEqualTo(ErrorCode.AUTH_FAILED);
    Await.until(Duration.ofSeconds(10), "the refused frame's admission is given back",
        () -> server.memoryUsedBytes() == before);
  }
}
