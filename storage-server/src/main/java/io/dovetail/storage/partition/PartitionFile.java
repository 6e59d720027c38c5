package io.dovetail.storage.partition;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.disk.FlushJob;
import io.dovetail.storage.memory.Chunk;
import io.dovetail.storage.memory.CopyCredit;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition file: its memory buffer (a list of {@link Chunk}s), its in-memory
 * {@link BatchIndex}, its state, and the flushes that move the buffer to disk. Thread-safe: short
 * critical sections on {@code this} (appends copy batch bytes under it; no I/O is ever done under
 * it). File I/O runs on the directory's flusher thread, one job of this file at a time.
 *
 * <p>States: OPEN (accepts pushes) -> SEALING (refuses pushes; the last flush, fsync and index
 * are under way) -> SEALED (durable, read-only). From OPEN or SEALING: FAILED (a write failed; the
 * acknowledged data is lost), DELETED (its shuffle was removed), ABANDONED (it belonged to an
 * incarnation the metadata server forgot). Layout on disk: {@link PartitionFileFormat}.
 *
 * <p>Offsets: a batch's offset is assigned when it is appended, before any flush, and is its final
 * position in the data file. {@code flushedOffset} is the length of the data written so far;
 * {@code chunks} hold exactly the bytes [flushedOffset, appendOffset). The chunk receiving appends
 * ({@code tail}) is retired at each flush, so a flush frees every chunk it wrote.
 *
 * <p>Buffer ownership: this file owns one reference to each chunk in {@code chunks}. A flush job
 * borrows them (it runs while they stay in the list) and, when written, this file releases them.
 * {@link #openRead} gives the caller its own references.
 */
public final class PartitionFile {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionFile.class);
  static final int MIN_CHUNK = 8 * 1024;
  static final int MAX_CHUNK = 1024 * 1024;

  /** Lifecycle of a partition file. */
  public enum State { OPEN, SEALING, SEALED, FAILED, DELETED, ABANDONED }

  /** Told when bytes reach the file, or when the file can no longer be read. */
  public interface FlushListener {
    /** Called on a flusher thread, outside any lock. */
    void flushed(long flushedOffset);

    /** The file failed or was deleted; called on any thread, outside any lock. */
    void gone();
  }

  /** What a reader needs: the index, how much is on disk, and its own references to the rest. */
  public record ReadView(BatchIndex index, int count, long flushedOffset, long end,
      Chunk[] memory) {}

  private final PartitionKey key;
  private final long incarnation;
  private final PartitionStore store;
  private final DataDir dir;
  private final Path dataPath;
  private final int headerLength;
  private final Object loadLock = new Object();

  // Guarded by this.
  private State state;
  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
  private Chunk tail;
  private int nextChunkSize = MIN_CHUNK;
  private BatchIndex index;
  private long reservedBytes;
  private boolean flushing;
  private boolean flushWanted;
  private CompletableFuture<Void> sealFuture;
  private List<FlushListener> listeners;
  private String failure;
  private long dataOnDisk;
  private long indexOnDisk;

  private volatile long appendOffset;
  private volatile long flushedOffset;
  // Flusher-owned (one job at a time).
  private FileChannel channel;

  private PartitionFile(PartitionKey key, long incarnation, PartitionStore store, DataDir dir,
      Path dataPath, State state, BatchIndex index, long length) {
    this.key = key;
    this.incarnation = incarnation;
    this.store = store;
    this.dir = dir;
    this.dataPath = dataPath;
    this.headerLength = PartitionFileFormat.headerLength(key.appId());
    this.state = state;
    this.index = index;
    this.appendOffset = length;
    this.flushedOffset = length;
  }

  /** A new, empty, open file in {@code dir}; nothing is on disk until its first flush. */
  static PartitionFile create(PartitionKey key, long incarnation, PartitionStore store,
      DataDir dir) {
    PartitionFile f = new PartitionFile(key, incarnation, store, dir,
        PartitionFileFormat.dataPath(dir.path(), key), State.OPEN, new BatchIndex(16), 0);
    // The header goes out with the first flush; offsets count it from the start.
    f.appendOffset = f.headerLength;
    f.flushedOffset = f.headerLength;
    f.reservedBytes = f.headerLength;
    dir.reserve(f.headerLength);
    return f;
  }

  /** A file sealed before with no data on this server: readable, empty, nothing on disk. */
  static PartitionFile emptySealed(PartitionKey key, long incarnation, PartitionStore store) {
    PartitionFile f = new PartitionFile(key, incarnation, store, null, null, State.SEALED,
        new BatchIndex(0), 0);
    f.sealFuture = CompletableFuture.completedFuture(null);
    return f;
  }

  /** A sealed file found at start; its index is loaded on first read. */
  static PartitionFile recovered(PartitionKey key, long incarnation, PartitionStore store,
      DataDir dir, Path dataPath, long dataLength, long indexLength) {
    PartitionFile f = new PartitionFile(key, incarnation, store, dir, dataPath, State.SEALED,
        null, dataLength);
    f.sealFuture = CompletableFuture.completedFuture(null);
    f.dataOnDisk = dataLength;
    f.indexOnDisk = indexLength;
    f.reservedBytes = dataLength + indexLength;
    dir.reserve(f.reservedBytes);
    dir.written(dataLength + indexLength);
    return f;
  }

  public PartitionKey key() {
    return key;
  }

  /** The incarnation that wrote (or writes) this file. */
  public long incarnation() {
    return incarnation;
  }

  public synchronized State state() {
    return state;
  }

  /** The data file; null for an empty sealed file that has none. */
  public Path dataPath() {
    return dataPath;
  }

  /** Bytes of the data file written so far. */
  public long flushedOffset() {
    return flushedOffset;
  }

  /** Data file length once everything appended is written. */
  public long length() {
    return appendOffset;
  }

  /** Appended bytes not yet written to the file. */
  public long bufferedBytes() {
    return appendOffset - flushedOffset;
  }

  synchronized boolean isFlushing() {
    return flushing;
  }

  /**
   * Appends one batch: reserves disk space, copies the header and the {@code header.length()}
   * payload bytes at {@code srcIndex} of {@code src} into the buffer (new chunks paid by {@code
   * credit}) and records it in the index. Does not take ownership of {@code src}. Runs on an event
   * loop; never blocks.
   *
   * @return NONE, or why the batch was refused
   */
  public ErrorCode append(BatchHeader header, ByteBuf src, int srcIndex, CopyCredit credit) {
    int record = BatchHeader.SIZE + header.length();
    long reserve = record + BatchIndex.ENTRY_SIZE;
    FlushJob job = null;
    synchronized (this) {
      if (state != State.OPEN) {
        return refusal(state);
      }
      if (!dir.tryReserve(reserve)) {
        return ErrorCode.DISK_FULL;
      }
      reservedBytes += reserve;
      long offset = appendOffset;
      try {
        if (tail == null || tail.buf().writableBytes() < BatchHeader.SIZE) {
          newTail(credit, record, offset);
        }
        header.write(tail.buf());
        int copied = 0;
        int length = header.length();
        while (copied < length) {
          ByteBuf t = tail.buf();
          if (!t.isWritable()) {
            newTail(credit, length - copied, offset + BatchHeader.SIZE + copied);
            t = tail.buf();
          }
          int n = Math.min(length - copied, t.writableBytes());
          t.writeBytes(src, srcIndex + copied, n);
          copied += n;
        }
      } catch (RuntimeException | Error e) {
        // Out of direct memory despite the budget: this file can no longer be trusted.
        failed("cannot buffer a batch: " + e, null, false);
        throw e;
      }
      credit.consumed(record);
      index.add(offset, header.mapIndex(), header.attemptId(), header.batchSeq(),
          header.length());
      appendOffset = offset + record;
      if (!flushing && appendOffset - flushedOffset >= store.flushThreshold()) {
        job = startFlush();
      }
    }
    if (job != null) {
      dir.flusher().submit(job);
    }
    return ErrorCode.NONE;
  }

  /** A new chunk for appends whose first byte goes to file position {@code position}. */
  private void newTail(CopyCredit credit, int needed, long position) {
    int capacity = credit.allocate(nextChunkSize, needed);
    Chunk c = Chunk.allocate(store.chunks(), store.budget(), capacity, position);
    chunks.add(c);
    tail = c;
    nextChunkSize = Math.min(MAX_CHUNK, nextChunkSize * 2);
  }

  static ErrorCode refusal(State s) {
    return switch (s) {
      case OPEN -> ErrorCode.NONE;
      case SEALING, SEALED -> ErrorCode.PARTITION_SEALED;
      case FAILED -> ErrorCode.STORAGE_IO_ERROR;
      case DELETED -> ErrorCode.UNKNOWN_SHUFFLE;
      case ABANDONED -> ErrorCode.STALE_INCARNATION;
    };
  }

  private DovetailException refusalException() {
    ErrorCode code = refusal(state);
    String why = switch (state) {
      case FAILED -> "partition file " + key + " failed: " + failure;
      case DELETED -> "shuffle " + key.shuffle() + " was deleted";
      case ABANDONED -> "partition file " + key + " belonged to an earlier incarnation";
      default -> "partition file " + key + " is " + state;
    };
    return new DovetailException(code, why);
  }

  /**
   * Refuses further pushes and completes (on a flusher thread) once everything is written,
   * synced and indexed. Idempotent: every call returns the same future.
   */
  public CompletableFuture<Void> seal() {
    FlushJob job = null;
    CompletableFuture<Void> f;
    synchronized (this) {
      switch (state) {
        case OPEN -> {
          state = State.SEALING;
          sealFuture = new CompletableFuture<>();
          tail = null;
          if (!flushing) {
            job = startFlush();
          }
        }
        case SEALING, SEALED -> { }
        default -> {
          return CompletableFuture.failedFuture(refusalException());
        }
      }
      f = sealFuture;
    }
    if (job != null) {
      dir.flusher().submit(job);
    }
    return f;
  }

  /**
   * Flushes the buffer now if it holds anything and no flush runs (memory pressure).
   *
   * @return bytes handed to the flusher
   */
  long flushForPressure() {
    FlushJob job;
    long bytes;
    synchronized (this) {
      if ((state != State.OPEN && state != State.SEALING) || appendOffset == flushedOffset) {
        return 0;
      }
      if (flushing) {
        flushWanted = true;
        return 0;
      }
      bytes = appendOffset - flushedOffset;
      job = startFlush();
    }
    dir.flusher().submit(job);
    return bytes;
  }

  /** Snapshot for a flush job; the caller submits it. Guarded by this. */
  private Job startFlush() {
    flushing = true;
    flushWanted = false;
    tail = null;
    // Grow again from small: the next bytes may be few (a flush under pressure, a late batch).
    nextChunkSize = MIN_CHUNK;
    long start = flushedOffset;
    long end = appendOffset;
    store.flushStarted(end - start);
    return new Job(chunks.toArray(new Chunk[0]), start, end);
  }

  /** One flush: writes {@code chunks} ([start, end) of the file), then seals if it is time. */
  private final class Job implements FlushJob {
    private final Chunk[] data;
    private final long start;
    private final long end;

    Job(Chunk[] data, long start, long end) {
      this.data = data;
      this.start = start;
      this.end = end;
    }

    @Override
    public void run() {
      synchronized (PartitionFile.this) {
        if (state != State.OPEN && state != State.SEALING) {
          flushing = false;
          store.flushEnded(end - start);
          cleanupAfterJob();
          return;
        }
      }
      try {
        write();
      } catch (IOException e) {
        store.flushEnded(end - start);
        failed(e.toString(), e, true);
        return;
      }
      store.flushEnded(end - start);
      written();
    }

    private void write() throws IOException {
      int n = data.length;
      boolean header = channel == null;
      ByteBuffer[] buffers = new ByteBuffer[n + (header ? 1 : 0)];
      int i = 0;
      if (header) {
        openChannel();
        buffers[i++] = PartitionFileFormat.encodeHeader(incarnation, key);
      }
      long bytes = 0;
      for (Chunk c : data) {
        ByteBuf b = c.buf();
        buffers[i++] = b.nioBuffer(0, b.writerIndex());
        bytes += b.writerIndex();
      }
      if (bytes != end - start) {
        throw new IllegalStateException(key + ": flush of " + (end - start) + " bytes found "
            + bytes + " in its chunks");
      }
      long total = bytes + (header ? headerLength : 0);
      long done = 0;
      while (done < total) {
        done += channel.write(buffers);
      }
      synchronized (PartitionFile.this) {
        dataOnDisk += total;
      }
      dir.written(total);
    }

    @Override
    public void cancel() {
      synchronized (PartitionFile.this) {
        flushing = false;
      }
      store.flushEnded(end - start);
      CompletableFuture<Void> f;
      synchronized (PartitionFile.this) {
        f = sealFuture;
      }
      if (f != null) {
        f.completeExceptionally(new DovetailException(ErrorCode.SERVER_SHUTTING_DOWN,
            "server is shutting down"));
      }
    }

    /** The data is in the file: free its chunks, then seal or flush again if needed. */
    private void written() {
      List<Chunk> free = new ArrayList<>(data.length);
      List<FlushListener> notify;
      FlushJob next = null;
      boolean sealNow = false;
      synchronized (PartitionFile.this) {
        flushing = false;
        if (state != State.OPEN && state != State.SEALING) {
          // Deleted, abandoned or failed while writing.
          cleanupAfterJob();
          return;
        }
        flushedOffset = end;
        // The chunks this job wrote are the first ones: nothing else removes from the front.
        for (int k = 0; k < data.length; k++) {
          free.add(chunks.pollFirst());
        }
        notify = listeners == null ? List.of() : List.copyOf(listeners);
        if (state == State.SEALING) {
          if (appendOffset == flushedOffset) {
            sealNow = true;
            flushing = true;
          } else {
            next = startFlush();
          }
        } else if (appendOffset > flushedOffset
            && (flushWanted || appendOffset - flushedOffset >= store.flushThreshold())) {
          next = startFlush();
        }
      }
      free.forEach(Chunk::release);
      for (FlushListener l : notify) {
        l.flushed(end);
      }
      dir.refresh();
      store.flushCompleted();
      if (next != null) {
        dir.flusher().submit(next);
      } else if (sealNow) {
        sealDurably();
      }
    }
  }

  private void openChannel() throws IOException {
    try {
      Files.createDirectories(dataPath.getParent());
      channel = FileChannel.open(dataPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (NoSuchFileException e) {
      // A concurrent cleanup removed an empty parent between the two calls: once more.
      Files.createDirectories(dataPath.getParent());
      channel = FileChannel.open(dataPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  /** On the flusher thread, with everything written: sync, write the index, mark SEALED. */
  private void sealDurably() {
    long indexLength;
    BatchIndex idx;
    synchronized (this) {
      idx = index;
    }
    try {
      if (channel == null) {
        openChannel();
        ByteBuffer h = PartitionFileFormat.encodeHeader(incarnation, key);
        PartitionFileFormat.writeFully(channel, h);
        synchronized (this) {
          dataOnDisk += headerLength;
        }
        dir.written(headerLength);
      }
      channel.force(true);
      channel.close();
      channel = null;
      indexLength = PartitionFileFormat.writeIndex(dataPath, appendOffset, idx);
    } catch (IOException e) {
      failed(e.toString(), e, true);
      return;
    }
    dir.written(indexLength);
    CompletableFuture<Void> f;
    synchronized (this) {
      indexOnDisk = indexLength;
      flushing = false;
      if (state != State.SEALING) {
        cleanupAfterJob();
        f = null;
      } else {
        state = State.SEALED;
        f = sealFuture;
      }
    }
    if (f != null) {
      f.complete(null);
    }
  }

  /**
   * A write failed: the file is lost. Releases its memory and space (now, or when the running
   * job ends if {@code fromJob} is false and one runs); reported as lost.
   */
  private void failed(String reason, IOException cause, boolean fromJob) {
    List<Chunk> free = List.of();
    List<FlushListener> notify;
    CompletableFuture<Void> f;
    boolean report;
    boolean deleteNow;
    synchronized (this) {
      if (fromJob) {
        flushing = false;
      }
      report = state == State.OPEN || state == State.SEALING;
      if (report) {
        state = State.FAILED;
        failure = reason;
      }
      deleteNow = !flushing;
      if (deleteNow) {
        free = new ArrayList<>(chunks);
        chunks.clear();
      }
      tail = null;
      notify = listeners == null ? List.of() : List.copyOf(listeners);
      f = sealFuture;
    }
    if (report) {
      LOG.error("Partition file {} in {} failed; its data is lost: {}", key, dir.path(), reason);
      store.lost(key);
    }
    free.forEach(Chunk::release);
    if (deleteNow) {
      deleteFromDisk();
    }
    if (cause != null) {
      dir.ioFailed(cause);
    }
    notify.forEach(FlushListener::gone);
    if (f != null) {
      f.completeExceptionally(new DovetailException(ErrorCode.STORAGE_IO_ERROR,
          "partition file " + key + " failed: " + reason));
    }
  }

  /**
   * Deletes the file (its shuffle was removed) or abandons it (its incarnation is gone): frees
   * memory, disk space and the files, now or when the running flush ends. Sealed files can be
   * deleted but not abandoned. Blocking (unlink); not for event loops.
   */
  void discard(State target) {
    List<FlushListener> notify;
    CompletableFuture<Void> f;
    synchronized (this) {
      if (state == State.DELETED || state == State.ABANDONED || state == State.FAILED
          || (target == State.ABANDONED && state == State.SEALED)) {
        return;
      }
      state = target;
      notify = listeners == null ? List.of() : List.copyOf(listeners);
      f = sealFuture;
      if (!flushing) {
        cleanupAfterJob();
      }
    }
    notify.forEach(FlushListener::gone);
    if (f != null && !f.isDone()) {
      f.completeExceptionally(new DovetailException(refusal(target),
          target == State.DELETED ? "shuffle " + key.shuffle() + " was deleted"
              : "partition file " + key + " belonged to an earlier incarnation"));
    }
  }

  /** Frees memory and disk of a file no job touches any more. Guarded by this. */
  private void cleanupAfterJob() {
    for (Chunk c : chunks) {
      c.release();
    }
    chunks.clear();
    tail = null;
    if (dir != null) {
      store.deleteLater(this::deleteFromDisk);
    }
  }

  private void deleteFromDisk() {
    if (dir == null) {
      return;
    }
    long onDisk;
    long reserved;
    synchronized (this) {
      onDisk = dataOnDisk + indexOnDisk;
      reserved = reservedBytes;
      dataOnDisk = 0;
      indexOnDisk = 0;
      reservedBytes = 0;
    }
    try {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    } catch (IOException e) {
      LOG.debug("Closing {}: {}", dataPath, e.toString());
    }
    try {
      Files.deleteIfExists(dataPath);
      Files.deleteIfExists(PartitionFileFormat.indexPath(dataPath));
      Files.deleteIfExists(PartitionFileFormat.tmpIndexPath(dataPath));
    } catch (IOException e) {
      LOG.warn("Cannot delete partition file {}: {}", dataPath, e.toString());
    }
    dir.deleted(onDisk);
    dir.unreserve(reserved);
  }

  /**
   * For a reader of a sealing or sealed file: the index, how much is on disk, and retained
   * references to every chunk still in memory when {@code wantMemory} (the caller releases them).
   * Registers {@code listener} (if not null) in the same critical section, so no flush is missed.
   *
   * @throws DovetailException when the file cannot be read (failed, deleted, abandoned, open)
   */
  public ReadView openRead(boolean wantMemory, FlushListener listener) {
    loadIndex();
    synchronized (this) {
      if (state != State.SEALING && state != State.SEALED) {
        throw state == State.OPEN
            ? new DovetailException(ErrorCode.INTERNAL, key + " is not sealed")
            : refusalException();
      }
      Chunk[] memory = new Chunk[0];
      if (wantMemory && !chunks.isEmpty()) {
        memory = chunks.toArray(memory);
        for (Chunk c : memory) {
          c.retain();
        }
      }
      if (listener != null && memory.length > 0) {
        if (listeners == null) {
          listeners = new ArrayList<>(2);
        }
        listeners.add(listener);
      }
      return new ReadView(index, index.size(), flushedOffset, appendOffset, memory);
    }
  }

  public synchronized void removeListener(FlushListener listener) {
    if (listeners != null) {
      listeners.remove(listener);
    }
  }

  /** Whether reads of this file can go on; the error to answer otherwise. */
  public synchronized ErrorCode readError() {
    return switch (state) {
      case SEALING, SEALED, OPEN -> ErrorCode.NONE;
      default -> refusal(state);
    };
  }

  /** True when {@link #openRead} must read the index from disk first (a blocking call). */
  public synchronized boolean needsIndexLoad() {
    return index == null && state == State.SEALED;
  }

  /** Loads the index of a file found at start. Blocking I/O when it is not loaded yet. */
  private void loadIndex() {
    synchronized (loadLock) {
      synchronized (this) {
        if (index != null || state != State.SEALED) {
          return;
        }
      }
      BatchIndex loaded;
      try {
        loaded = PartitionFileFormat.readIndex(PartitionFileFormat.indexPath(dataPath),
            headerLength, appendOffset);
      } catch (IOException e) {
        failed("cannot read index: " + e, e, false);
        throw new DovetailException(ErrorCode.STORAGE_IO_ERROR,
            "partition file " + key + ": cannot read its index: " + e);
      }
      synchronized (this) {
        index = loaded;
      }
    }
  }

  /** Frees the memory at shutdown (flushers stopped); files stay on disk. */
  void shutdown() {
    List<Chunk> free;
    synchronized (this) {
      free = new ArrayList<>(chunks);
      chunks.clear();
      tail = null;
      flushing = false;
    }
    free.forEach(Chunk::release);
    try {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    } catch (IOException e) {
      LOG.debug("Closing {}: {}", dataPath, e.toString());
    }
  }

  @Override
  public String toString() {
    return "PartitionFile[" + key + ", " + state() + ", " + appendOffset + " bytes, "
        + flushedOffset + " flushed]";
  }
}
