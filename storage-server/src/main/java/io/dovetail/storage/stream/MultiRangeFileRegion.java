package io.dovetail.storage.stream;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileRegion} made of several ranges of one file, sent back to back: the body of a chunk
 * whose selected batches are not adjacent in the file (a map-range read). It opens the file on
 * first transfer and closes it when released. Each range goes through
 * {@link FileChannel#transferTo}, which is zero-copy when the target is a JDK socket channel (NIO
 * transport); with native epoll the JDK copies through a buffer. Single-range chunks use Netty's
 * {@code DefaultFileRegion} instead, which epoll sends with sendfile. Not thread-safe (owned by
 * one channel's event loop while written); reference counted.
 */
final class MultiRangeFileRegion extends AbstractReferenceCounted implements FileRegion {
  private final File file;
  private final long[] offsets;
  private final int[] lengths;
  private final long count;
  private long transferred;
  private int range;
  private long inRange;
  private FileChannel channel;

  MultiRangeFileRegion(File file, long[] offsets, int[] lengths) {
    this.file = file;
    this.offsets = offsets;
    this.lengths = lengths;
    long c = 0;
    for (int l : lengths) {
      c += l;
    }
    this.count = c;
  }

  @Override
  public long position() {
    return 0;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public long transferred() {
    return transferred;
  }

  @Deprecated
  @Override
  public long transfered() {
    return transferred;
  }

  @Override
  public long transferTo(WritableByteChannel target, long position) throws IOException {
    if (position != transferred) {
      throw new IllegalArgumentException("position " + position + " but " + transferred
          + " bytes were transferred");
    }
    if (channel == null) {
      channel = new RandomAccessFile(file, "r").getChannel();
    }
    long written = 0;
    while (range < offsets.length) {
      long left = lengths[range] - inRange;
      long n = channel.transferTo(offsets[range] + inRange, left, target);
      if (n < 0) {
        throw new IOException(file + " ended before " + (offsets[range] + lengths[range]));
      }
      if (n == 0 && offsets[range] + inRange >= channel.size()) {
        throw new IOException(file + " is shorter than expected: " + channel.size());
      }
      written += n;
      inRange += n;
      if (inRange < lengths[range]) {
        break;
      }
      range++;
      inRange = 0;
    }
    transferred += written;
    return written;
  }

  @Override
  protected void deallocate() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing useful to do: the region is done.
      }
      channel = null;
    }
  }

  @Override
  public FileRegion retain() {
    super.retain();
    return this;
  }

  @Override
  public FileRegion retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public FileRegion touch() {
    return this;
  }

  @Override
  public FileRegion touch(Object hint) {
    return this;
  }
}
