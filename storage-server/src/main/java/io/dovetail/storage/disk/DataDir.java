package io.dovetail.storage.disk;

import io.dovetail.proto.DiskStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import io.dovetail.common.util.Threads;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data directory (one device): its flusher, and the space accounting that lets a push be
 * refused with DISK_FULL before it is acknowledged. Thread-safe; {@link #tryReserve} is one
 * compare-and-set and never touches the disk.
 *
 * <p>{@code reserved} counts every byte promised to files in this directory, on disk or still in
 * memory; {@code onDisk} counts the bytes of those files already written. The directory may hold
 * {@code limit = min(capacity, onDisk + usable - reserve)} where {@code usable} is the disk's free
 * space when last measured ({@link #refresh}, after every flush and periodically). A reservation
 * fails when it would take {@code reserved} past the limit.
 */
public final class DataDir {
  private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);

  private final int index;
  private final Path path;
  private final long configuredCapacity;
  private final long diskReserve;
  private final FileStore store;
  private final Flusher flusher;
  /**
   * This directory's blocking chores (unlinks, free-space checks) on a thread of its own, so a
   * device that hangs holds up only its own; null for an unusable directory.
   */
  private final ExecutorService chores;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong onDisk = new AtomicLong();
  private volatile long capacity;
  private volatile long usable;
  private volatile long limit;
  private volatile String unhealthy;
  /** Why the start-up scan could not list this directory; a probe does not clear it. */
  private volatile String unscanned;
  /** A flush running longer than this means the device stalls; MAX_VALUE: never. */
  private volatile long stallTimeoutNanos = Long.MAX_VALUE;
  private volatile boolean stallLogged;
  /** Bytes of this directory's files being flushed now. */
  private final AtomicLong flushing = new AtomicLong();

  /**
   * Creates the directory if needed and checks that it is writable.
   *
   * @param configuredCapacity bytes this directory may hold, 0 for the whole disk
   * @param diskReserve free bytes to leave on the disk
   * @throws IOException when the directory cannot be used
   */
  public DataDir(int index, Path path, long configuredCapacity, long diskReserve,
      int flusherThreads) throws IOException {
    this.index = index;
    this.path = path.toAbsolutePath().normalize();
    this.configuredCapacity = configuredCapacity;
    this.diskReserve = diskReserve;
    Files.createDirectories(this.path);
    this.store = Files.getFileStore(this.path);
    probe();
    this.flusher = new Flusher("dovetail-flusher-" + index, flusherThreads);
    this.chores = Executors.newSingleThreadExecutor(Threads.named("dovetail-dir-chores-" + index));
    refresh();
  }

  /** A directory that could not be opened at start: listed, reported unhealthy, never used. */
  private DataDir(int index, Path path, String reason) {
    this.index = index;
    this.path = path.toAbsolutePath().normalize();
    this.configuredCapacity = 0;
    this.diskReserve = 0;
    this.store = null;
    this.flusher = new Flusher("dovetail-flusher-" + index, 0);
    this.chores = null;
    this.unscanned = reason;
  }

  /** False for a directory that could not be opened at start ({@link #unusable}). */
  public boolean isUsable() {
    return store != null;
  }

  /**
   * A configured directory that cannot be used at start (missing mount, permissions, a file in
   * its place): it stays in the list, so heartbeats and metrics report it unhealthy rather than
   * the server looking healthy with less capacity, and takes no files until a restart.
   */
  public static DataDir unusable(int index, Path path, IOException cause) {
    LOG.error("Data directory {} is unusable and takes no files until a restart: {}", path,
        cause.toString());
    return new DataDir(index, path, "unusable at start: " + cause);
  }

  public int index() {
    return index;
  }

  public Path path() {
    return path;
  }

  public Flusher flusher() {
    return flusher;
  }

  /**
   * A flush of this directory that has not returned for {@code timeout} (the device stalls
   * rather than fails) makes it unhealthy until the flush returns.
   */
  public void flushStallTimeout(Duration timeout) {
    stallTimeoutNanos = timeout.toNanos();
  }

  public boolean isHealthy() {
    return unhealthy == null && unscanned == null && !isStalled();
  }

  /**
   * The start-up scan could not list this directory: its sealed files were not offered and its
   * leftovers not cleaned, so it takes no new files until the server starts again.
   */
  public void markUnscanned(String reason) {
    LOG.error("Data directory {} could not be scanned; it takes no new files until a restart: {}",
        path, reason);
    unscanned = reason;
  }

  /**
   * True while a flush of this directory has been running for longer than the stall timeout:
   * its files take no more batches and no new file is placed here, since nothing pushed here
   * could leave memory.
   */
  public boolean isStalled() {
    long running = flusher.longestRunningNanos();
    boolean stalled = running > stallTimeoutNanos;
    if (stalled != stallLogged) {
      stallLogged = stalled;
      if (stalled) {
        LOG.error("Data directory {} stalls: a flush has not returned for {} s; it takes no "
            + "new data until it does", path, TimeUnit.NANOSECONDS.toSeconds(running));
      } else {
        LOG.warn("Data directory {} no longer stalls", path);
      }
    }
    return stalled;
  }

  /** {@code bytes} of this directory's files started (positive) or ended (negative) flushing. */
  public void flushing(long bytes) {
    flushing.addAndGet(bytes);
  }

  /** Bytes of this directory's files being flushed now. */
  public long flushingBytes() {
    return flushing.get();
  }

  /** Reserves {@code bytes} for a file in this directory; false when they do not fit. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long r = reserved.get();
      if (r + bytes > limit) {
        return false;
      }
      if (reserved.compareAndSet(r, r + bytes)) {
        return true;
      }
    }
  }

  /** Reserves {@code bytes} whatever the limit (a file header, a file found at start). */
  public void reserve(long bytes) {
    reserved.addAndGet(bytes);
  }

  /** Gives back reservations of a deleted or failed file. */
  public void unreserve(long bytes) {
    reserved.addAndGet(-bytes);
  }

  /** {@code bytes} more of this directory's files are on disk. */
  public void written(long bytes) {
    onDisk.addAndGet(bytes);
  }

  /** {@code bytes} of this directory's files were deleted from disk. */
  public void deleted(long bytes) {
    onDisk.addAndGet(-bytes);
  }

  public long reservedBytes() {
    return reserved.get();
  }

  public long onDiskBytes() {
    return onDisk.get();
  }

  /** True when this directory is healthy and has room for more data. */
  public boolean hasRoom() {
    return isHealthy() && reserved.get() < limit;
  }

  /**
   * Measures the disk's free space again and recomputes the limit; probes an unhealthy directory
   * and clears the mark if it works again. Blocking (a statfs call); not for event loops.
   */
  public void refresh() {
    if (store == null) {
      return; // unusable since start
    }
    try {
      long total = store.getTotalSpace();
      long free = store.getUsableSpace();
      long cap = configuredCapacity > 0 ? configuredCapacity : total;
      capacity = cap;
      usable = free;
      limit = Math.max(0, Math.min(cap, onDisk.get() + free - diskReserve));
    } catch (IOException e) {
      markUnhealthy("cannot read free space: " + e);
      limit = 0;
      return;
    }
    if (unhealthy != null) {
      try {
        probe();
        LOG.info("Data directory {} works again", path);
        unhealthy = null;
      } catch (IOException e) {
        LOG.debug("Data directory {} still unhealthy: {}", path, e.toString());
      }
    }
  }

  /** {@link #refresh} on this directory's chore thread, unless one is queued already. */
  public void refreshLater() {
    if (refreshQueued.compareAndSet(false, true)) {
      runChore(() -> {
        refreshQueued.set(false);
        refresh();
      });
    }
  }

  /**
   * Runs blocking work on this directory (an unlink) on its chore thread, behind earlier chores.
   * After {@link #stopChores} the chore is dropped: a stopping server must not block on a device,
   * and what was not deleted is found and cleaned at the next start.
   */
  public void runChore(Runnable chore) {
    if (chores == null) {
      return; // unusable since start: it holds no files of this run
    }
    try {
      chores.execute(() -> {
        try {
          chore.run();
        } catch (RuntimeException e) {
          LOG.error("A chore on data directory {} failed", path, e);
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("Data directory {} stopped; chore dropped", path);
    }
  }

  /**
   * An I/O error hit a file in this directory. A full disk is not a health problem (the space
   * accounting refuses new data); any other error keeps new files away until a probe succeeds.
   */
  public void ioFailed(IOException e) {
    refresh();
    if (usable > diskReserve + (1L << 20) || e instanceof java.nio.file.AccessDeniedException) {
      markUnhealthy(e.toString());
    } else {
      LOG.warn("Data directory {} is full: {}", path, e.toString());
    }
  }

  private void markUnhealthy(String reason) {
    if (unhealthy == null) {
      LOG.error("Data directory {} is unhealthy: {}", path, reason);
    }
    unhealthy = reason;
  }

  private void probe() throws IOException {
    Path probe = path.resolve(".dovetail-probe");
    try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}));
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  public DiskStatus status() {
    long cap = capacity;
    long res = reserved.get();
    return DiskStatus.newBuilder()
        .setPath(path.toString())
        .setCapacityBytes(cap)
        .setUsedBytes(res)
        .setUsableBytes(Math.max(0, limit - res))
        .setHealthy(isHealthy())
        .build();
  }

  public void start() {
    flusher.start();
  }

  public void stop(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    flusher.stop(timeout);
    stopChores(deadline);
  }

  /**
   * Lets queued chores run until {@code deadline} ({@link System#nanoTime()}); what is left then
   * is dropped (leftovers are cleaned at the next start).
   */
  public void stopChores(long deadline) {
    if (chores == null) {
      return;
    }
    chores.shutdown();
    try {
      long wait = Math.max(0, deadline - System.nanoTime());
      if (!chores.awaitTermination(wait, TimeUnit.NANOSECONDS)) {
        int left = chores.shutdownNow().size();
        LOG.warn("Data directory {}: {} chores left undone at stop (its device may hang)", path,
            left);
      }
    } catch (InterruptedException e) {
      chores.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "DataDir[" + path + ", reserved " + reserved.get() + " of " + limit
        + (unhealthy == null ? "" : ", unhealthy: " + unhealthy)
        + (unscanned == null ? "" : ", not scanned: " + unscanned) + "]";
  }
}
