package io.dovetail.storage.partition;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.SealedPartition;
import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.disk.DataDirs;
import io.dovetail.storage.memory.ChunkPool;
import io.dovetail.storage.memory.MemoryBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every partition file this server holds, by name; tombstones of deleted shuffles; files lost to
 * I/O errors (until reported); and early flushing when memory runs short. Thread-safe.
 *
 * <p>Event-loop methods ({@link #shuffleForWrite}, {@link #fileForWrite}, {@link #file},
 * {@link #seal}) never block. Deletion and abandonment release memory at once and unlink files on
 * their directory's chore thread ({@link DataDir#runChore}); pressure scans run on the {@code
 * background} executor, which therefore never waits for a device.
 */
public final class PartitionStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionStore.class);

  /** The partition files of one shuffle. Thread-safe. */
  public static final class ShuffleFiles {
    private final ShuffleId id;
    private final ConcurrentHashMap<Long, PartitionFile> files = new ConcurrentHashMap<>();
    private boolean deleted;

    ShuffleFiles(ShuffleId id) {
      this.id = id;
    }

    public ShuffleId id() {
      return id;
    }

    /** The file of (partition, epoch), or null. */
    public PartitionFile get(int partition, int epoch) {
      return files.get(PartitionKey.local(partition, epoch));
    }

    public synchronized boolean isDeleted() {
      return deleted;
    }
  }

  private final DataDirs dirs;
  private final MemoryBudget budget;
  private final ChunkPool chunks;
  private final Executor background;
  private final Clock clock;
  private final long flushThreshold;
  private final long lowWatermark;
  private final long tombstoneMillis;
  private final ConcurrentHashMap<ShuffleId, ShuffleFiles> shuffles = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ShuffleId, Long> tombstones = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<PartitionKey> lost = new ConcurrentLinkedQueue<>();
  private final AtomicLong flushingBytes = new AtomicLong();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder flushedBytes = new LongAdder();
  private final LongAdder flushErrors = new LongAdder();
  private final AtomicBoolean pressurePending = new AtomicBoolean();
  private volatile long incarnation;
  private volatile boolean syncOnSeal;

  /**
   * @param background runs pressure scans (off the event loops; they never touch a disk)
   * @param lowWatermark accounted bytes that pressure flushing aims for
   */
  public PartitionStore(DataDirs dirs, MemoryBudget budget, ChunkPool chunks,
      Executor background, Clock clock, long flushThreshold, long lowWatermark,
      long tombstoneMillis) {
    this.dirs = dirs;
    this.budget = budget;
    this.chunks = chunks;
    this.background = background;
    this.clock = clock;
    this.flushThreshold = flushThreshold;
    this.lowWatermark = lowWatermark;
    this.tombstoneMillis = tombstoneMillis;
    budget.pressureListener(this::requestPressureFlush);
  }

  /**
   * Whether sealing a file forces its data, its index and their directory to the device. Without
   * it a sealed file survives the process being killed (it is in the page cache) but not a power
   * loss; the index's checksum and atomic rename still keep a torn file from being trusted.
   */
  public void syncOnSeal(boolean sync) {
    this.syncOnSeal = sync;
  }

  boolean syncOnSeal() {
    return syncOnSeal;
  }

  /** The incarnation stamped on files created from now on. */
  public void incarnation(long incarnation) {
    this.incarnation = incarnation;
  }

  long flushThreshold() {
    return flushThreshold;
  }

  MemoryBudget budget() {
    return budget;
  }

  ChunkPool chunks() {
    return chunks;
  }

  /** Adds sealed files found at start. */
  public void addRecovered(Collection<PartitionFile> files) {
    for (PartitionFile f : files) {
      PartitionKey k = f.key();
      ShuffleFiles sf = shuffles.computeIfAbsent(k.shuffle(), ShuffleFiles::new);
      sf.files.put(PartitionKey.local(k.partition(), k.epoch()), f);
    }
  }

  /** The files of a shuffle for a push; null when the shuffle was deleted (tombstone). */
  public ShuffleFiles shuffleForWrite(String appId, int shuffleId) {
    ShuffleId id = new ShuffleId(appId, shuffleId);
    ShuffleFiles sf = shuffles.get(id);
    if (sf != null) {
      return sf;
    }
    if (tombstones.containsKey(id)) {
      return null;
    }
    sf = shuffles.computeIfAbsent(id, ShuffleFiles::new);
    if (tombstones.containsKey(id)) {
      // Deleted while we created it: undo, unless a file slipped in (the next heartbeat removes
      // the shuffle again then).
      if (sf.files.isEmpty()) {
        shuffles.remove(id, sf);
      }
      return null;
    }
    return sf;
  }

  /**
   * The file of (partition, epoch), created in the next directory with room if new; null when no
   * directory has room or the shuffle was deleted ({@link ShuffleFiles#isDeleted()}).
   */
  public PartitionFile fileForWrite(ShuffleFiles sf, int partition, int epoch) {
    long local = PartitionKey.local(partition, epoch);
    PartitionFile f = sf.files.get(local);
    if (f != null) {
      return f;
    }
    synchronized (sf) {
      f = sf.files.get(local);
      if (f != null || sf.deleted) {
        return f;
      }
      DataDir dir = dirs.choose();
      if (dir == null) {
        return null;
      }
      f = PartitionFile.create(new PartitionKey(sf.id.appId(), sf.id.shuffleId(), partition,
          epoch), incarnation, this, dir);
      sf.files.put(local, f);
      return f;
    }
  }

  /** The file of a read or seal; null when this server has none. */
  public PartitionFile file(String appId, int shuffleId, int partition, int epoch) {
    ShuffleFiles sf = shuffles.get(new ShuffleId(appId, shuffleId));
    return sf == null ? null : sf.get(partition, epoch);
  }

  public boolean isDeleted(String appId, int shuffleId) {
    return tombstones.containsKey(new ShuffleId(appId, shuffleId));
  }

  /**
   * Seals a file. A file this server never received data for is recorded as sealed and empty, so
   * it reads back empty and refuses later pushes.
   */
  public CompletableFuture<Void> seal(String appId, int shuffleId, int partition, int epoch) {
    ShuffleFiles sf = shuffleForWrite(appId, shuffleId);
    if (sf == null) {
      return CompletableFuture.failedFuture(new DovetailException(ErrorCode.UNKNOWN_SHUFFLE,
          "shuffle " + appId + "/" + shuffleId + " was deleted"));
    }
    long local = PartitionKey.local(partition, epoch);
    PartitionFile f = sf.files.get(local);
    if (f == null) {
      synchronized (sf) {
        f = sf.files.get(local);
        if (f == null) {
          if (sf.deleted) {
            return CompletableFuture.failedFuture(new DovetailException(
                ErrorCode.UNKNOWN_SHUFFLE, "shuffle " + sf.id + " was deleted"));
          }
          f = PartitionFile.emptySealed(new PartitionKey(appId, shuffleId, partition, epoch),
              incarnation, this);
          sf.files.put(local, f);
        }
      }
    }
    return f.seal();
  }

  /**
   * Deletes every file of a shuffle and remembers it as deleted for the tombstone time. Memory is
   * freed at once; files are unlinked in the background.
   */
  public void removeShuffle(ShuffleId id) {
    tombstones.put(id, clock.millis() + tombstoneMillis);
    ShuffleFiles sf = shuffles.remove(id);
    if (sf == null) {
      return;
    }
    synchronized (sf) {
      sf.deleted = true;
    }
    for (PartitionFile f : sf.files.values()) {
      f.discard(PartitionFile.State.DELETED);
    }
    for (DataDir d : dirs.all()) {
      // Behind the files' own unlinks on the same thread; a file still flushing prunes the
      // directories itself when it is deleted.
      d.runChore(() -> PartitionFileFormat.pruneEmptyDirs(d.path(),
          PartitionFileFormat.shuffleDir(d.path(), id.appId(), id.shuffleId())));
    }
    LOG.info("Deleted shuffle {} ({} files)", id, sf.files.size());
  }

  /** Forgets tombstones older than the tombstone time. */
  public void expireTombstones() {
    long now = clock.millis();
    tombstones.values().removeIf(expiry -> expiry <= now);
  }

  /** Shuffles with at least one file (or a record of one) on this server. */
  public List<ShuffleId> heldShuffles() {
    return new ArrayList<>(shuffles.keySet());
  }

  /** Every sealed file with data on disk, for registration. */
  public List<SealedPartition> sealedFiles() {
    List<SealedPartition> out = new ArrayList<>();
    for (ShuffleFiles sf : shuffles.values()) {
      for (PartitionFile f : sf.files.values()) {
        if (f.dataPath() != null && f.state() == PartitionFile.State.SEALED) {
          PartitionKey k = f.key();
          out.add(SealedPartition.newBuilder().setAppId(k.appId()).setShuffleId(k.shuffleId())
              .setPartition(k.partition()).setEpoch(k.epoch()).setIncarnation(f.incarnation())
              .setBytes(f.length()).build());
        }
      }
    }
    return out;
  }

  /** Deletes the listed sealed files (the metadata server does not need them). */
  public void discard(List<SealedPartition> files) {
    for (SealedPartition s : files) {
      ShuffleFiles sf = shuffles.get(new ShuffleId(s.getAppId(), s.getShuffleId()));
      if (sf == null) {
        continue;
      }
      PartitionFile f = sf.get(s.getPartition(), s.getEpoch());
      if (f != null && f.incarnation() == s.getIncarnation()) {
        f.discard(PartitionFile.State.DELETED);
        sf.files.remove(PartitionKey.local(s.getPartition(), s.getEpoch()), f);
      }
      if (sf.files.isEmpty()) {
        shuffles.remove(sf.id, sf);
      }
    }
  }

  /**
   * Abandons every file not sealed yet: it belongs to an incarnation the metadata server forgot.
   * The entries stay (refusing pushes with STALE_INCARNATION) until their shuffle is removed.
   *
   * @return how many files were abandoned
   */
  public int abandonUnsealed() {
    int n = 0;
    for (ShuffleFiles sf : shuffles.values()) {
      for (PartitionFile f : sf.files.values()) {
        PartitionFile.State s = f.state();
        if (s == PartitionFile.State.OPEN || s == PartitionFile.State.SEALING) {
          f.discard(PartitionFile.State.ABANDONED);
          n++;
        }
      }
    }
    return n;
  }

  /** Partitions lost since the last call, to report in a heartbeat. */
  public List<LostPartition> drainLost() {
    List<LostPartition> out = new ArrayList<>();
    PartitionKey k;
    while ((k = lost.poll()) != null) {
      out.add(LostPartition.newBuilder().setAppId(k.appId()).setShuffleId(k.shuffleId())
          .setPartition(k.partition()).setEpoch(k.epoch()).build());
    }
    return out;
  }

  /** Puts back lost partitions a failed heartbeat could not report. */
  public void requeueLost(List<LostPartition> files) {
    for (LostPartition p : files) {
      lost.add(new PartitionKey(p.getAppId(), p.getShuffleId(), p.getPartition(), p.getEpoch()));
    }
  }

  void lost(PartitionKey key) {
    lost.add(key);
  }

  void flushStarted(DataDir dir, long bytes) {
    flushingBytes.addAndGet(bytes);
    dir.flushing(bytes);
  }

  void flushEnded(DataDir dir, long bytes) {
    flushingBytes.addAndGet(-bytes);
    dir.flushing(-bytes);
  }

  /** A flush's write returned: {@code written} bytes are in the file, or the write failed. */
  void flushEnded(DataDir dir, long bytes, boolean written) {
    flushEnded(dir, bytes);
    if (written) {
      flushes.increment();
      flushedBytes.add(bytes);
    } else {
      flushErrors.increment();
    }
  }

  /** Flushes written since start. */
  public long flushes() {
    return flushes.sum();
  }

  /** Bytes written to partition files since start (batch headers included). */
  public long flushedBytes() {
    return flushedBytes.sum();
  }

  /** Flushes whose write failed since start (the partition failed with it). */
  public long flushErrors() {
    return flushErrors.sum();
  }

  /** Bytes of flushes handed to flushers and not written yet. */
  public long flushingBytes() {
    return flushingBytes.get();
  }

  /** After each flush: keep flushing while connections wait or usage is high. */
  void flushCompleted() {
    if (budget.waitingBytes() > 0 || budget.used() > budget.highWatermark()) {
      requestPressureFlush();
    }
  }

  /** Asks for a pressure scan; cheap and non-blocking, so event loops may call it. */
  public void requestPressureFlush() {
    if (pressurePending.compareAndSet(false, true)) {
      try {
        background.execute(this::pressureScan);
      } catch (RejectedExecutionException e) {
        pressurePending.set(false);
      }
    }
  }

  /**
   * Flushes the largest buffers until usage would fall to the low watermark (and waiting frames
   * would fit), counting flushes already under way.
   */
  void pressureScan() {
    pressurePending.set(false);
    long used = budget.used();
    // Flushes on a stalled directory free nothing soon: they are no relief to count on.
    long stuck = 0;
    for (DataDir d : dirs.all()) {
      if (d.isStalled()) {
        stuck += d.flushingBytes();
      }
    }
    long target = Math.max(used - lowWatermark, budget.shortfall())
        - (flushingBytes.get() - stuck);
    if (target <= 0) {
      return;
    }
    record Candidate(PartitionFile file, long bytes) {}
    List<Candidate> candidates = new ArrayList<>();
    for (ShuffleFiles sf : shuffles.values()) {
      for (PartitionFile f : sf.files.values()) {
        long b = f.bufferedBytes();
        // Not on a stalled directory: queued behind the hung flush, they would free nothing.
        if (b > 0 && !f.isFlushing() && !f.onStalledDir()) {
          candidates.add(new Candidate(f, b));
        }
      }
    }
    candidates.sort(Comparator.comparingLong(Candidate::bytes).reversed());
    for (Candidate c : candidates) {
      target -= c.file.flushForPressure();
      if (target <= 0) {
        break;
      }
    }
  }

  /** Partition files known, by state, and shuffles held: for the metrics endpoint. */
  public record Census(Map<PartitionFile.State, Integer> files, int shuffles) {}

  public Census census() {
    Map<PartitionFile.State, Integer> byState = new java.util.EnumMap<>(PartitionFile.State.class);
    for (ShuffleFiles sf : shuffles.values()) {
      for (PartitionFile f : sf.files.values()) {
        byState.merge(f.state(), 1, Integer::sum);
      }
    }
    return new Census(byState, shuffles.size());
  }

  /** Number of partition files known. */
  public int fileCount() {
    int n = 0;
    for (ShuffleFiles sf : shuffles.values()) {
      n += sf.files.size();
    }
    return n;
  }

  /** All files, for diagnostics and tests. */
  public List<PartitionFile> files() {
    List<PartitionFile> out = new ArrayList<>();
    for (Map.Entry<ShuffleId, ShuffleFiles> e : shuffles.entrySet()) {
      out.addAll(e.getValue().files.values());
    }
    return out;
  }

  /** Frees every buffer; call after the flushers stopped. Files stay on disk. */
  @Override
  public void close() {
    for (ShuffleFiles sf : shuffles.values()) {
      for (PartitionFile f : sf.files.values()) {
        f.shutdown();
      }
    }
  }
}
