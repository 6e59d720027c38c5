package io.dovetail.common.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.testkit.TestDirs;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** File regions on their way through TLS: read in pieces, or the connection closes. */
class FileRegionReaderTest {

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(new ChunkedWriteHandler(), FileRegionReader.INSTANCE,
        FrameEncoder.INSTANCE);
  }

  @Test
  void aRegionGoesOutInPiecesOfBoundedSize() throws Exception {
    Path file = TestDirs.create("region").resolve("data");
    byte[] bytes = new byte[200_000];
    new java.util.Random(1).nextBytes(bytes);
    Files.write(file, bytes);
    EmbeddedChannel ch = channel();
    ch.writeAndFlush(new ChunkResponse(1, 0, new DefaultFileRegion(file.toFile(), 100, 150_000),
        150_000));
    ch.runPendingTasks();
    ByteBuf header = ch.readOutbound();
    header.release();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int pieces = 0;
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      assertThat(b.readableBytes()).isLessThanOrEqualTo(FileRegionReader.PIECE);
      byte[] a = new byte[b.readableBytes()];
      b.readBytes(a);
      b.release();
      body.writeBytes(a);
      pieces++;
    }
    assertThat(pieces).isEqualTo(3);
    assertThat(body.toByteArray()).isEqualTo(Arrays.copyOfRange(bytes, 100, 150_100));
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  /**
   * The frame's header has gone out when its region fails to read (the file was deleted, or an
   * I/O error): the stream is out of step, so the connection closes. It stayed open, and the
   * reader took the next frames' bytes for the missing body.
   */
  @Test
  void aRegionThatCannotBeReadClosesTheConnection() {
    Path missing = TestDirs.create("region-missing").resolve("gone");
    EmbeddedChannel ch = channel();
    var written = ch.writeAndFlush(new ChunkResponse(1, 0,
        new DefaultFileRegion(missing.toFile(), 0, 100), 100));
    ch.runPendingTasks();
    assertThat(written.isSuccess()).isFalse();
    assertThat(ch.isOpen()).as("the connection is closed").isFalse();
    ch.finishAndReleaseAll();
  }

  /** Netty may close an input twice (its write failed, then the channel went): one release. */
  @Test
  void closingAnInputTwiceReleasesItsRegionOnce() throws Exception {
    Path file = TestDirs.create("region-twice").resolve("data");
    Files.write(file, new byte[10]);
    DefaultFileRegion region = new DefaultFileRegion(file.toFile(), 0, 10);
    region.retain(); // the test's own reference
    FileRegionReader.RegionInput input = new FileRegionReader.RegionInput(region);
    input.close();
    input.close();
    assertThat(region.refCnt()).isEqualTo(1);
    region.release();
  }
}
