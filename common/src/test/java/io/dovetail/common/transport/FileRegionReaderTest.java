package io.dovetail.common.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.FrameEncoder;
import io.dovetail.testkit.TestDirs;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** File regions on their way through TLS: copied whole, or the connection closes. */
class FileRegionReaderTest {

  @Test
  void aRegionIsCopiedIntoOneBuffer() throws Exception {
    Path file = TestDirs.create("region").resolve("data");
    byte[] bytes = new byte[10_000];
    new java.util.Random(1).nextBytes(bytes);
    Files.write(file, bytes);
    EmbeddedChannel ch = new EmbeddedChannel(FileRegionReader.INSTANCE, FrameEncoder.INSTANCE);
    ch.writeAndFlush(new ChunkResponse(1, 0, new DefaultFileRegion(file.toFile(), 100, 5_000),
        5_000));
    ByteBuf header = ch.readOutbound();
    ByteBuf body = ch.readOutbound();
    byte[] read = new byte[body.readableBytes()];
    body.readBytes(read);
    assertThat(read).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 5_100));
    header.release();
    body.release();
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
    EmbeddedChannel ch = new EmbeddedChannel(FileRegionReader.INSTANCE, FrameEncoder.INSTANCE);
    var written = ch.writeAndFlush(new ChunkResponse(1, 0,
        new DefaultFileRegion(missing.toFile(), 0, 100), 100));
    ch.runPendingTasks();
    assertThat(written.isSuccess()).isFalse();
    assertThat(ch.isOpen()).as("the connection is closed").isFalse();
    ch.finishAndReleaseAll();
  }
}
