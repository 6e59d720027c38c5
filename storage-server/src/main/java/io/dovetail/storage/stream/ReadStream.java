package io.dovetail.storage.stream;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.OpenStreamRequest;
import io.dovetail.storage.memory.Chunk;
import io.dovetail.storage.partition.BatchIndex;
import io.dovetail.storage.partition.PartitionFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.DefaultFileRegion;
import java.io.File;
import java.util.Arrays;

/**
 * One open read stream: the batches of a sealing or sealed partition file selected by map range
 * and committed attempts, in file order, packed into chunks. Thread-safe: fetches come from event
 * loops, flush notices from flusher threads; all state after construction is guarded by
 * {@code this}.
 *
 * <p>Plan: adjacent selected batches merge into ranges; batches fill a chunk up to
 * {@code readChunkSize} (a larger batch is a chunk of its own). Bytes that were in the file when
 * the stream opened ({@code flushed0}) go out as file regions; chunk planning splits at that
 * boundary, and a chunk after it is sent from memory unless it has reached the file by the time it
 * is fetched. Only the selected batches are ever read.
 *
 * <p>Buffer ownership: the stream holds one reference to each memory chunk its plan may still
 * read from memory; it drops those wholly behind the file's flushed offset as flushes complete (and
 * all of them on close). A fetched body owns its own slices; {@link Body#pinned()} lists chunks
 * retained once more for the body, which the caller releases when the write completes.
 */
public final class ReadStream implements PartitionFile.FlushListener {
  /** A chunk body ready to write: a FileRegion or ByteBuf, and chunks to release after writing. */
  public record Body(Object body, long length, Chunk[] pinned) {}

  private final long id;
  private final PartitionFile file;
  private final Object owner;
  private final long flushed0;
  private final long[] rangeOffsets;
  private final int[] rangeLengths;
  private final int[] chunkFirstRange;
  private final int numChunks;
  private final int firstMemoryChunk;
  private final long totalBytes;
  private final long batchCount;

  // Guarded by this.
  private Chunk[] memory;
  private int memoryLive;
  private boolean closed;
  private boolean gone;

  /**
   * Plans a stream over {@code file}, which must be sealing or sealed.
   *
   * @param owner the connection that opened it (for cleanup)
   * @throws DovetailException when the file cannot be read
   */
  public ReadStream(long id, Object owner, PartitionFile file, OpenStreamRequest req,
      long readChunkSize) {
    this.id = id;
    this.owner = owner;
    this.file = file;
    synchronized (this) {
      PartitionFile.ReadView view = file.openRead(this);
      this.flushed0 = view.flushedOffset();
      Plan plan = plan(view.index(), view.count(), req, readChunkSize, flushed0);
      this.rangeOffsets = plan.rangeOffsets;
      this.rangeLengths = plan.rangeLengths;
      this.chunkFirstRange = plan.chunkFirstRange;
      this.numChunks = plan.numChunks;
      this.firstMemoryChunk = plan.firstMemoryChunk;
      this.totalBytes = plan.totalBytes;
      this.batchCount = plan.batchCount;
      this.memory = view.memory();
      if (firstMemoryChunk == numChunks) {
        releaseMemory();
        file.removeListener(this);
      }
    }
  }

  public long id() {
    return id;
  }

  public Object owner() {
    return owner;
  }

  public PartitionFile file() {
    return file;
  }

  public int numChunks() {
    return numChunks;
  }

  /** Batch headers plus payloads over all chunks. */
  public long totalBytes() {
    return totalBytes;
  }

  public long batchCount() {
    return batchCount;
  }

  /** Memory chunks this stream still holds (for tests and diagnostics). */
  public synchronized int heldMemoryChunks() {
    int n = 0;
    if (memory != null) {
      for (int i = memoryLive; i < memory.length; i++) {
        if (memory[i] != null) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * The body of chunk {@code chunkIndex}. Runs on an event loop; never blocks.
   *
   * @throws DovetailException UNKNOWN_STREAM when closed, INVALID_ARGUMENT for a bad index, or the
   *     file's error when it can no longer be read
   */
  public Body fetch(int chunkIndex, ByteBufAllocator alloc) {
    if (chunkIndex < 0 || chunkIndex >= numChunks) {
      throw new DovetailException(ErrorCode.INVALID_ARGUMENT, "stream " + id + " has "
          + numChunks + " chunks; there is no chunk " + chunkIndex);
    }
    ErrorCode fileError = file.readError();
    if (fileError != ErrorCode.NONE) {
      throw new DovetailException(fileError, "partition file " + file.key()
          + " can no longer be read (" + file.state() + ")");
    }
    int first = chunkFirstRange[chunkIndex];
    int last = chunkFirstRange[chunkIndex + 1];
    long end = rangeOffsets[last - 1] + rangeLengths[last - 1];
    long length = 0;
    for (int r = first; r < last; r++) {
      length += rangeLengths[r];
    }
    if (chunkIndex < firstMemoryChunk || end <= file.flushedOffset()) {
      return new Body(fileBody(first, last), length, new Chunk[0]);
    }
    synchronized (this) {
      if (closed) {
        throw new DovetailException(ErrorCode.UNKNOWN_STREAM, "stream " + id + " is closed");
      }
      if (gone) {
        throw new DovetailException(ErrorCode.STORAGE_IO_ERROR, "partition file "
            + file.key() + " can no longer be read");
      }
      // A flush may have completed (and released memory) since the check above.
      if (end <= file.flushedOffset()) {
        return new Body(fileBody(first, last), length, new Chunk[0]);
      }
      return memoryBody(first, last, length, alloc);
    }
  }

  private Object fileBody(int first, int last) {
    File f = file.dataPath().toFile();
    if (last - first == 1) {
      return new DefaultFileRegion(f, rangeOffsets[first], rangeLengths[first]);
    }
    return new MultiRangeFileRegion(f, Arrays.copyOfRange(rangeOffsets, first, last),
        Arrays.copyOfRange(rangeLengths, first, last));
  }

  /** Guarded by this. */
  private Body memoryBody(int first, int last, long length, ByteBufAllocator alloc) {
    int lo = memoryLive;
    int hi = memory.length;
    int firstChunk = -1;
    int lastChunk = -1;
    CompositeByteBuf composite = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
    try {
      for (int r = first; r < last; r++) {
        long pos = rangeOffsets[r];
        long rangeEnd = pos + rangeLengths[r];
        int c = findChunk(pos, lo, hi);
        while (pos < rangeEnd) {
          Chunk ch = memory[c];
          int from = (int) (pos - ch.position());
          int n = (int) Math.min(rangeEnd - pos, ch.end() - pos);
          composite.addComponent(true, ch.buf().retainedSlice(from, n));
          if (firstChunk < 0) {
            firstChunk = c;
          }
          lastChunk = c;
          pos += n;
          c++;
        }
        lo = lastChunk;
      }
    } catch (RuntimeException e) {
      composite.release();
      throw e;
    }
    Chunk[] pinned = Arrays.copyOfRange(memory, firstChunk, lastChunk + 1);
    for (Chunk c : pinned) {
      c.retain();
    }
    return new Body(composite, length, pinned);
  }

  /** Index of the memory chunk holding file position {@code pos}. Guarded by this. */
  private int findChunk(long pos, int lo, int hi) {
    int a = lo;
    int b = hi - 1;
    while (a <= b) {
      int m = (a + b) >>> 1;
      Chunk c = memory[m];
      if (c.end() <= pos) {
        a = m + 1;
      } else if (c.position() > pos) {
        b = m - 1;
      } else {
        return m;
      }
    }
    throw new IllegalStateException("stream " + id + ": position " + pos
        + " is not in memory any more");
  }

  @Override
  public void flushed(long flushedOffset) {
    synchronized (this) {
      if (memory == null || memoryLive >= memory.length) {
        return;
      }
      // Chunks of the plan that end behind the file's data are read from the file from now on;
      // memory is needed only from the first one that does not.
      long needFrom = Long.MAX_VALUE;
      for (int k = firstMemoryChunk; k < numChunks; k++) {
        int lastRange = chunkFirstRange[k + 1] - 1;
        if (rangeOffsets[lastRange] + rangeLengths[lastRange] > flushedOffset) {
          needFrom = rangeOffsets[chunkFirstRange[k]];
          break;
        }
      }
      while (memoryLive < memory.length && memory[memoryLive].end() <= needFrom) {
        memory[memoryLive].release();
        memory[memoryLive] = null;
        memoryLive++;
      }
      if (memoryLive < memory.length) {
        return;
      }
    }
    file.removeListener(this);
  }

  @Override
  public void gone() {
    synchronized (this) {
      gone = true;
      releaseMemory();
    }
  }

  /** Releases what the stream holds. Idempotent. */
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      releaseMemory();
    }
    file.removeListener(this);
  }

  /** Guarded by this. */
  private void releaseMemory() {
    if (memory != null) {
      for (int i = memoryLive; i < memory.length; i++) {
        if (memory[i] != null) {
          memory[i].release();
          memory[i] = null;
        }
      }
      memoryLive = memory.length;
    }
  }

  /** The packed selection. */
  private record Plan(long[] rangeOffsets, int[] rangeLengths, int[] chunkFirstRange,
      int numChunks, int firstMemoryChunk, long totalBytes, long batchCount) {}

  private static Plan plan(BatchIndex index, int count, OpenStreamRequest req,
      long readChunkSize, long flushed0) {
    AttemptFilter filter = req.hasFilter()
        ? new AttemptFilter(req.committedMaps(), req.committedAttempts()) : null;
    int startMap = req.startMap();
    int endMap = req.endMap();
    long[] offsets = new long[16];
    int[] lengths = new int[16];
    int[] firsts = new int[8];
    int ranges = 0;
    int chunks = 0;
    int firstMemory = -1;
    long chunkBytes = 0;
    long total = 0;
    long batches = 0;
    for (int i = 0; i < count; i++) {
      int map = index.mapIndex(i);
      if (map < startMap || map >= endMap
          || (filter != null && !filter.accepts(map, index.attemptId(i)))) {
        continue;
      }
      long offset = index.offset(i);
      int record = BatchHeader.SIZE + index.length(i);
      boolean memory = offset >= flushed0;
      boolean newChunk = chunks == 0 || chunkBytes + record > readChunkSize
          || (memory && firstMemory < 0);
      if (newChunk) {
        if (chunks + 1 >= firsts.length) {
          firsts = Arrays.copyOf(firsts, firsts.length * 2);
        }
        firsts[chunks++] = ranges;
        chunkBytes = 0;
        if (memory && firstMemory < 0) {
          firstMemory = chunks - 1;
        }
      }
      boolean extend = !newChunk && offsets[ranges - 1] + lengths[ranges - 1] == offset
          && (long) lengths[ranges - 1] + record <= Integer.MAX_VALUE;
      if (extend) {
        lengths[ranges - 1] += record;
      } else {
        if (ranges == offsets.length) {
          offsets = Arrays.copyOf(offsets, ranges * 2);
          lengths = Arrays.copyOf(lengths, ranges * 2);
        }
        offsets[ranges] = offset;
        lengths[ranges] = record;
        ranges++;
      }
      chunkBytes += record;
      total += record;
      batches++;
    }
    firsts = Arrays.copyOf(firsts, chunks + 1);
    firsts[chunks] = ranges;
    return new Plan(offsets, lengths, firsts, chunks, firstMemory < 0 ? chunks : firstMemory,
        total, batches);
  }

  /** Committed attempt per map index, looked up by binary search. */
  private static final class AttemptFilter {
    private final int[] maps;
    private final long[] attempts;

    AttemptFilter(int[] maps, long[] attempts) {
      long[] packed = new long[maps.length];
      for (int i = 0; i < maps.length; i++) {
        packed[i] = ((long) maps[i] << 32) | i;
      }
      Arrays.sort(packed);
      this.maps = new int[maps.length];
      this.attempts = new long[maps.length];
      for (int i = 0; i < packed.length; i++) {
        int at = (int) packed[i];
        this.maps[i] = maps[at];
        this.attempts[i] = attempts[at];
      }
    }

    boolean accepts(int map, long attempt) {
      int i = Arrays.binarySearch(maps, map);
      return i >= 0 && attempts[i] == attempt;
    }
  }

  @Override
  public String toString() {
    return "ReadStream[" + id + ", " + file.key() + ", " + numChunks + " chunks, " + totalBytes
        + " bytes]";
  }
}
