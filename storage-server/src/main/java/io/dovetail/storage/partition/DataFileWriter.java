package io.dovetail.storage.partition;

import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.memory.Chunk;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk side of one partition file ({@link PartitionFileFormat}): creates the data file with
 * its header on the first write, appends flushed chunks with one gathering write, syncs and writes
 * the index at seal, deletes both files, and keeps the directory's on-disk count right. Blocking;
 * runs on the directory's flusher, except {@link #delete} (on its chore thread). Not thread-safe: the owning
 * {@link PartitionFile} runs one job at a time and deletes only when none runs (its lock gives the
 * hand-over its happens-before).
 */
final class DataFileWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DataFileWriter.class);
  /** Each attempt loses only to a prune that ran between its two calls. */
  private static final int MAX_OPEN_ATTEMPTS = 5;

  private final PartitionKey key;
  private final long incarnation;
  private final DataDir dir;
  private final Path dataPath;
  private FileChannel channel;
  private long onDisk;

  /** @param onDisk bytes of this file's data and index already on disk (a recovered file) */
  DataFileWriter(PartitionKey key, long incarnation, DataDir dir, Path dataPath, long onDisk) {
    this.key = key;
    this.incarnation = incarnation;
    this.dir = dir;
    this.dataPath = dataPath;
    this.onDisk = onDisk;
  }

  /**
   * Appends the data bytes of {@code data} (exactly {@code expected} of them), after the header
   * when the file is new.
   */
  void append(Chunk[] data, long expected) throws IOException {
    boolean header = channel == null;
    if (header) {
      open();
    }
    ByteBuffer[] buffers = new ByteBuffer[data.length + (header ? 1 : 0)];
    int i = 0;
    if (header) {
      buffers[i++] = PartitionFileFormat.encodeHeader(incarnation, key);
    }
    long bytes = 0;
    for (Chunk c : data) {
      ByteBuf b = c.buf();
      buffers[i++] = b.nioBuffer(0, b.writerIndex());
      bytes += b.writerIndex();
    }
    if (bytes != expected) {
      throw new IllegalStateException(key + ": a flush of " + expected + " bytes found " + bytes
          + " in its chunks");
    }
    long total = bytes + (header ? buffers[0].remaining() : 0);
    long done = 0;
    while (done < total) {
      done += channel.write(buffers);
    }
    written(total);
  }

  /**
   * Finishes the file: creates it if it never had data, syncs it when {@code sync}, closes it and
   * writes the index of {@code dataLength} bytes atomically.
   */
  void seal(long dataLength, BatchIndex index, boolean sync) throws IOException {
    if (channel == null) {
      open();
      ByteBuffer h = PartitionFileFormat.encodeHeader(incarnation, key);
      long n = h.remaining();
      PartitionFileFormat.writeFully(channel, h);
      written(n);
    }
    if (sync) {
      channel.force(true);
    }
    channel.close();
    channel = null;
    written(PartitionFileFormat.writeIndex(dataPath, dataLength, index, sync));
  }

  private void written(long bytes) {
    onDisk += bytes;
    dir.written(bytes);
  }

  private void open() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        Files.createDirectories(dataPath.getParent());
        channel = FileChannel.open(dataPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        return;
      } catch (NoSuchFileException e) {
        // A deletion pruned an empty parent between the two calls: create it again.
        if (attempt == MAX_OPEN_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** Closes and deletes the data and index files (best effort). */
  void delete() {
    closeQuietly();
    try {
      Files.deleteIfExists(dataPath);
      Files.deleteIfExists(PartitionFileFormat.indexPath(dataPath));
      Files.deleteIfExists(PartitionFileFormat.tmpIndexPath(dataPath));
    } catch (IOException e) {
      LOG.warn("Cannot delete partition file {}: {}", dataPath, e.toString());
    }
    dir.deleted(onDisk);
    onDisk = 0;
    PartitionFileFormat.pruneEmptyDirs(dir.path(), dataPath.getParent());
  }

  void closeQuietly() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("Closing {}: {}", dataPath, e.toString());
      }
      channel = null;
    }
  }
}
