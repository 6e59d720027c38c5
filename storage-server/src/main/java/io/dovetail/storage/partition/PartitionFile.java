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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition file: its state, its in-memory {@link BatchIndex}, its memory buffer
 * ({@link PartitionBuffer}) and the flushes that move the buffer to disk ({@link DataFileWriter}
 * on the directory's flusher). Thread-safe: short critical sections on {@code this} (an append
 * copies its batch under it; no I/O ever happens under it); flush jobs of one file never overlap.
 *
 * <p>States: OPEN (accepts pushes) -> SEALING (refuses pushes; the last flush, sync and index are
 * under way) -> SEALED (durable, read-only). From OPEN or SEALING: FAILED (a write failed; the
 * acknowledged data is lost), DELETED (its shuffle was removed), ABANDONED (it belonged to an
 * incarnation the metadata server forgot). SEALED files can be DELETED too. Layout on disk:
 * {@link PartitionFileFormat}.
 *
 * <p>Offsets: a batch's offset is assigned when it is appended, before any flush, and is its final
 * position in the data file. {@code flushedOffset} is the length written so far (the header counts
 * from the start: it goes out with the first flush); the buffer holds exactly [flushedOffset,
 * appendOffset).
 *
 * <p>Buffer ownership: the buffer owns its chunks; a flush job borrows them while they stay in the
 * buffer and releases them (outside the lock) once written. {@link #openRead} gives readers
 * references of their own.
 */
public final class PartitionFile {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionFile.class);

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
  private final DataFileWriter writer;
  private final Object loadLock = new Object();

  // Guarded by this.
  private State state;
  private final PartitionBuffer buffer;
  private BatchIndex index;
  private long reservedBytes;
  private boolean flushing;
  private boolean flushWanted;
  /** The files were deleted from disk (guarded by this). */
  private boolean unlinked;
  private boolean shutDown;
  private CompletableFuture<Void> sealFuture;
  private List<FlushListener> listeners;
  private String failure;

  private volatile long appendOffset;
  private volatile long flushedOffset;

  private PartitionFile(PartitionKey key, long incarnation, PartitionStore store, DataDir dir,
      Path dataPath, State state, BatchIndex index, long length, long onDisk) {
    this.key = key;
    this.incarnation = incarnation;
    this.store = store;
    this.dir = dir;
    this.dataPath = dataPath;
    this.writer = dir == null ? null
        : new DataFileWriter(key, incarnation, dir, dataPath, onDisk);
    this.buffer = new PartitionBuffer(store.chunks(), store.budget());
    this.state = state;
    this.index = index;
    this.appendOffset = length;
    this.flushedOffset = length;
    if (state == State.SEALED) {
      this.sealFuture = CompletableFuture.completedFuture(null);
    }
  }

  /** A new, empty, open file in {@code dir}; nothing is on disk until its first flush. */
  static PartitionFile create(PartitionKey key, long incarnation, PartitionStore store,
      DataDir dir) {
    int header = PartitionFileFormat.headerLength(key.appId());
    PartitionFile f = new PartitionFile(key, incarnation, store, dir,
        PartitionFileFormat.dataPath(dir.path(), key), State.OPEN, new BatchIndex(16), header, 0);
    f.reservedBytes = header;
    dir.reserve(header);
    return f;
  }

  /** A file sealed before with no data on this server: readable, empty, nothing on disk. */
  static PartitionFile emptySealed(PartitionKey key, long incarnation, PartitionStore store) {
    return new PartitionFile(key, incarnation, store, null, null, State.SEALED,
        new BatchIndex(0), 0, 0);
  }

  /** A sealed file found at start; its index is loaded on first read. */
  static PartitionFile recovered(PartitionKey key, long incarnation, PartitionStore store,
      DataDir dir, Path dataPath, long dataLength, long indexLength) {
    long onDisk = dataLength + indexLength;
    PartitionFile f = new PartitionFile(key, incarnation, store, dir, dataPath, State.SEALED,
        null, dataLength, onDisk);
    f.reservedBytes = onDisk;
    dir.reserve(onDisk);
    dir.written(onDisk);
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
    Job job = null;
    synchronized (this) {
      if (state != State.OPEN) {
        return refusal(state);
      }
      if (dir.isStalled()) {
        // Nothing pushed here could leave memory: the writer moves to a new location.
        return ErrorCode.STORAGE_IO_ERROR;
      }
      if (!dir.tryReserve(reserve)) {
        return ErrorCode.DISK_FULL;
      }
      reservedBytes += reserve;
      long offset = appendOffset;
      try {
        buffer.append(header, src, srcIndex, offset, credit);
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

  static ErrorCode refusal(State s) {
    return switch (s) {
      case OPEN -> ErrorCode.NONE;
      case SEALING, SEALED -> ErrorCode.PARTITION_SEALED;
      case FAILED -> ErrorCode.STORAGE_IO_ERROR;
      case DELETED -> ErrorCode.UNKNOWN_SHUFFLE;
      case ABANDONED -> ErrorCode.STALE_INCARNATION;
    };
  }

  /** Why this file refuses what it refuses. Guarded by this. */
  private DovetailException refusalException() {
    String why = switch (state) {
      case FAILED -> "partition file " + key + " failed: " + failure;
      case DELETED -> "shuffle " + key.shuffle() + " was deleted";
      case ABANDONED -> "partition file " + key + " belonged to an earlier incarnation";
      default -> "partition file " + key + " is " + state;
    };
    return new DovetailException(refusal(state), why);
  }

  /**
   * Refuses further pushes and completes (on a flusher thread) once everything is written,
   * synced and indexed. Idempotent: every call returns the same future.
   */
  public CompletableFuture<Void> seal() {
    Job job = null;
    CompletableFuture<Void> f;
    synchronized (this) {
      switch (state) {
        case OPEN -> {
          state = State.SEALING;
          sealFuture = new CompletableFuture<>();
          buffer.retireTail();
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
    Job job;
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

  /** A flush job for everything buffered; the caller submits it. Guarded by this. */
  private Job startFlush() {
    flushing = true;
    flushWanted = false;
    long start = flushedOffset;
    long end = appendOffset;
    store.flushStarted(dir, end - start);
    return new Job(buffer.takeForFlush(), start, end);
  }

  /** One flush: writes [start, end) of the file from {@code data}, then seals if it is time. */
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
      if (endIfShutDown()) {
        store.flushEnded(dir, end - start);
        return;
      }
      synchronized (PartitionFile.this) {
        if (state != State.OPEN && state != State.SEALING) {
          flushing = false;
          store.flushEnded(dir, end - start);
          cleanupAfterJob();
          return;
        }
      }
      IOException error = null;
      try {
        writer.append(data, end - start);
      } catch (IOException e) {
        error = e;
      }
      store.flushEnded(dir, end - start, error == null);
      if (endIfShutDown()) {
        return;
      }
      if (error != null) {
        failed(error.toString(), error, true);
      } else {
        written();
      }
    }

    @Override
    public void cancel() {
      CompletableFuture<Void> f;
      synchronized (PartitionFile.this) {
        flushing = false;
        f = sealFuture;
      }
      store.flushEnded(dir, end - start);
      if (f != null) {
        f.completeExceptionally(new DovetailException(ErrorCode.SERVER_SHUTTING_DOWN,
            "server is shutting down"));
      }
    }

    /** The data is in the file: free its chunks, then seal or flush again if needed. */
    private void written() {
      Chunk[] free;
      List<FlushListener> notify;
      Job next = null;
      boolean sealNow = false;
      synchronized (PartitionFile.this) {
        flushing = false;
        if (state != State.OPEN && state != State.SEALING) {
          cleanupAfterJob(); // deleted, abandoned or failed while writing
          return;
        }
        flushedOffset = end;
        // The chunks this job wrote are the first ones: nothing else removes from the front.
        free = buffer.removeFlushed(data.length);
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
      PartitionBuffer.release(free);
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

  /** On the flusher thread, with everything written: sync, write the index, mark SEALED. */
  private void sealDurably() {
    BatchIndex idx;
    synchronized (this) {
      idx = index;
    }
    try {
      writer.seal(appendOffset, idx, store.syncOnSeal());
    } catch (IOException e) {
      failed(e.toString(), e, true);
      return;
    }
    CompletableFuture<Void> f = null;
    synchronized (this) {
      flushing = false;
      if (state == State.SEALING) {
        state = State.SEALED;
        f = sealFuture;
      } else {
        cleanupAfterJob();
      }
    }
    if (f != null) {
      f.complete(null);
    }
  }

  /**
   * A write failed: the file is lost and reported so. Frees its memory and space now, or when
   * the running job ends if {@code fromJob} is false and one runs.
   */
  private void failed(String reason, IOException cause, boolean fromJob) {
    Chunk[] free = null;
    List<FlushListener> notify;
    CompletableFuture<Void> f;
    boolean report;
    synchronized (this) {
      if (fromJob) {
        flushing = false;
      }
      report = state == State.OPEN || state == State.SEALING || state == State.SEALED;
      if (report) {
        state = State.FAILED;
        failure = reason;
      }
      buffer.retireTail();
      if (!flushing) {
        free = buffer.removeAll();
      }
      notify = listeners == null ? List.of() : List.copyOf(listeners);
      f = sealFuture;
    }
    if (report) {
      LOG.error("Partition file {} in {} failed; its data is lost: {}", key, dir.path(), reason);
      store.lost(key);
    }
    if (free != null) {
      PartitionBuffer.release(free);
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
   * memory at once, disk space and the files now or when the running flush ends. Sealed files
   * can be deleted but not abandoned.
   */
  void discard(State target) {
    List<FlushListener> notify;
    CompletableFuture<Void> f;
    DovetailException why;
    synchronized (this) {
      if (state == State.DELETED || state == State.ABANDONED || state == State.FAILED
          || (target == State.ABANDONED && state == State.SEALED)) {
        return;
      }
      state = target;
      why = refusalException();
      notify = listeners == null ? List.of() : List.copyOf(listeners);
      f = sealFuture;
      if (!flushing) {
        cleanupAfterJob();
      }
    }
    notify.forEach(FlushListener::gone);
    if (f != null && !f.isDone()) {
      f.completeExceptionally(why);
    }
  }

  /** Frees the memory of a file no job touches any more; unlinks it later. Guarded by this. */
  private void cleanupAfterJob() {
    PartitionBuffer.release(buffer.removeAll());
    if (dir != null) {
      dir.runChore(this::deleteFromDisk);
    }
  }

  /** Deletes the files and gives back their space. Only when no job runs. */
  private void deleteFromDisk() {
    if (dir == null) {
      return;
    }
    long reserved;
    synchronized (this) {
      if (unlinked) {
        return; // a failure racing a deletion: the space was given back once already
      }
      unlinked = true;
      reserved = reservedBytes;
      reservedBytes = 0;
    }
    writer.delete();
    dir.unreserve(reserved);
  }

  /**
   * For a reader of a sealing or sealed file: the index, how much is on disk, and retained
   * references to every chunk still in memory (the caller releases them). Registers {@code
   * listener} in the same critical section when memory is returned, so no flush is missed.
   * Blocking only for a file found at start whose index is not loaded yet.
   *
   * @throws DovetailException when the file cannot be read (failed, deleted, abandoned, open)
   */
  public ReadView openRead(FlushListener listener) {
    loadIndex();
    synchronized (this) {
      if (state != State.SEALING && state != State.SEALED) {
        throw state == State.OPEN
            ? new DovetailException(ErrorCode.INTERNAL, key + " is not sealed")
            : refusalException();
      }
      Chunk[] memory = buffer.retainAll();
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

  /** NONE while reads of this file can go on; the error to answer otherwise. */
  public synchronized ErrorCode readError() {
    return switch (state) {
      case SEALING, SEALED, OPEN -> ErrorCode.NONE;
      default -> refusal(state);
    };
  }

  /** True when this file's directory stalls (see {@link DataDir#isStalled}). */
  boolean onStalledDir() {
    return dir != null && dir.isStalled();
  }

  /** True when {@link #openRead} must read the index from disk first (a blocking call). */
  public synchronized boolean needsIndexLoad() {
    return index == null && state == State.SEALED;
  }

  /**
   * Failures of this process rather than of the file or its device: an interrupted read, or no
   * file descriptor left (seen by failing to open the file's own directory too: the error's text
   * is the C library's, translated by locale). Anything else (a corrupt or missing index, EIO, a
   * permission on the index) loses the file.
   */
  private boolean transientFailure(IOException e) {
    if (e instanceof java.nio.channels.ClosedByInterruptException) {
      return true;
    }
    if (e instanceof PartitionFileFormat.CorruptFileException) {
      return false;
    }
    try (var ds = java.nio.file.Files.newDirectoryStream(dataPath.getParent())) {
      return false; // this process can open files: the index itself is the problem
    } catch (IOException | RuntimeException again) {
      return true;
    }
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
            PartitionFileFormat.headerLength(key.appId()), appendOffset);
      } catch (IOException e) {
        synchronized (this) {
          if (state != State.SEALED) {
            // Deleted or abandoned meanwhile, which unlinks the files: not a disk failure.
            throw refusalException();
          }
        }
        if (!transientFailure(e)) {
          failed("cannot read its index: " + e, e, false);
          throw new DovetailException(ErrorCode.STORAGE_IO_ERROR,
              "partition file " + key + ": cannot read its index: " + e);
        }
        // Not the file's fault (this process is out of file descriptors, or the read was
        // interrupted at shutdown): the sealed file stays, and a later read loads its index
        // again. Deleting it would lose intact committed data.
        LOG.warn("Partition file {}: cannot read its index now, keeping the file: {}", key,
            e.toString());
        throw new DovetailException(ErrorCode.STORAGE_IO_ERROR,
            "partition file " + key + ": cannot read its index now: " + e);
      }
      synchronized (this) {
        index = loaded;
      }
    }
  }

  /**
   * Frees the memory at shutdown, after the flushers stopped; files stay on disk. A job still
   * running (its flusher did not stop in time: a stalled disk) keeps the chunks it writes from
   * and the file open; it frees and closes them when its write returns.
   */
  void shutdown() {
    Chunk[] free;
    synchronized (this) {
      shutDown = true;
      if (flushing) {
        LOG.warn("Partition file {} is still being written at shutdown; its memory goes when "
            + "the write returns", key);
        return;
      }
      free = buffer.removeAll();
    }
    PartitionBuffer.release(free);
    if (writer != null) {
      writer.closeQuietly();
    }
  }

  /**
   * On the flusher thread, at the start or end of a job's write: once the store shut down, the job
   * frees the memory and closes the file instead of going on (the file stays as it is on disk).
   */
  private boolean endIfShutDown() {
    Chunk[] free;
    CompletableFuture<Void> f;
    synchronized (this) {
      if (!shutDown) {
        return false;
      }
      flushing = false;
      free = buffer.removeAll();
      f = sealFuture;
    }
    PartitionBuffer.release(free);
    writer.closeQuietly();
    if (f != null && !f.isDone()) {
      f.completeExceptionally(new DovetailException(ErrorCode.SERVER_SHUTTING_DOWN,
          "server is shutting down"));
    }
    return true;
  }

  @Override
  public String toString() {
    return "PartitionFile[" + key + ", " + state() + ", " + appendOffset + " bytes, "
        + flushedOffset + " flushed]";
  }
}
