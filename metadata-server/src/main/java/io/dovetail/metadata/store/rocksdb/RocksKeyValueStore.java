package io.dovetail.metadata.store.rocksdb;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.metadata.store.KvBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KeyValueStore} on RocksDB: one database, default column family, write-ahead log always
 * on. With {@code syncWrites} every write also fsyncs the log (survives power loss); without, a
 * write is in the log in the OS page cache when the call returns (survives {@code kill -9}).
 *
 * <p>Close order: (1) callers stop issuing calls (the metadata server stops gRPC and its
 * maintenance thread first); (2) {@link #close()} takes the write side of the guard lock, so it
 * waits for calls and scans in progress and later calls fail with UNAVAILABLE instead of touching
 * freed native memory; (3) the write-ahead log is synced; (4) the database handle is closed;
 * (5) only then the objects it was opened with (write and read options, then the table options'
 * block cache and bloom filter, then the database options), because RocksDB may use them until
 * the handle is gone.
 *
 * <p>Thread-safe.
 */
public final class RocksKeyValueStore implements KeyValueStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksKeyValueStore.class);

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final RocksDB db;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  /** Closed after {@link #db}, in reverse order of creation. */
  private final List<RocksObject> openedWith;
  private final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
  private boolean closed; // guarded by guard's write lock; read under its read lock

  private RocksKeyValueStore(Path dir, RocksDB db, WriteOptions writeOptions,
      ReadOptions readOptions, List<RocksObject> openedWith) {
    this.dir = dir;
    this.db = db;
    this.writeOptions = writeOptions;
    this.readOptions = readOptions;
    this.openedWith = openedWith;
  }

  /**
   * Opens (creating if missing) the database in {@code dir}.
   *
   * @param syncWrites fsync the write-ahead log on every write
   * @param blockCacheBytes size of the block cache for reads
   */
  public static RocksKeyValueStore open(Path dir, boolean syncWrites, long blockCacheBytes) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DovetailException(ErrorCode.STORAGE_IO_ERROR,
          "cannot create metadata directory " + dir, e);
    }
    List<RocksObject> resources = new ArrayList<>();
    try {
      LRUCache cache = track(resources, new LRUCache(blockCacheBytes));
      BloomFilter bloom = track(resources, new BloomFilter(10));
      BlockBasedTableConfig table = new BlockBasedTableConfig()
          .setBlockCache(cache)
          .setFilterPolicy(bloom)
          .setBlockSize(16 * 1024);
      Options options = track(resources, new Options()
          .setCreateIfMissing(true)
          .setTableFormatConfig(table)
          .setCompressionType(CompressionType.LZ4_COMPRESSION)
          .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
          .setKeepLogFileNum(3)
          .setMaxTotalWalSize(256L << 20));
      WriteOptions writeOptions = track(resources,
          new WriteOptions().setSync(syncWrites).setDisableWAL(false));
      ReadOptions readOptions = track(resources, new ReadOptions());
      RocksDB db = RocksDB.open(options, dir.toString());
      LOG.info("Opened metadata store {} (syncWrites={})", dir, syncWrites);
      return new RocksKeyValueStore(dir, db, writeOptions, readOptions, resources);
    } catch (RocksDBException e) {
      closeAll(resources);
      throw wrap("cannot open metadata store " + dir
          + " (is another metadata server using it?)", e);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  private static <T extends RocksObject> T track(List<RocksObject> list, T o) {
    list.add(o);
    return o;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public byte[] get(byte[] key) {
    lockForCall();
    try {
      return db.get(readOptions, key);
    } catch (RocksDBException e) {
      throw wrap("get failed", e);
    } finally {
      guard.readLock().unlock();
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    lockForCall();
    try {
      db.put(writeOptions, key, value);
    } catch (RocksDBException e) {
      throw wrap("put failed", e);
    } finally {
      guard.readLock().unlock();
    }
  }

  @Override
  public void delete(byte[] key) {
    lockForCall();
    try {
      db.delete(writeOptions, key);
    } catch (RocksDBException e) {
      throw wrap("delete failed", e);
    } finally {
      guard.readLock().unlock();
    }
  }

  @Override
  public void write(KvBatch batch) {
    if (batch.isEmpty()) {
      return;
    }
    lockForCall();
    try (WriteBatch wb = new WriteBatch()) {
      for (KvBatch.Op op : batch.ops()) {
        switch (op.kind()) {
          case PUT -> wb.put(op.first(), op.second());
          case DELETE -> wb.delete(op.first());
          case DELETE_RANGE -> wb.deleteRange(op.first(), op.second());
          default -> throw new IllegalStateException("unknown op " + op.kind());
        }
      }
      db.write(writeOptions, wb);
    } catch (RocksDBException e) {
      throw wrap("batch write of " + batch.size() + " operations failed", e);
    } finally {
      guard.readLock().unlock();
    }
  }

  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    lockForCall();
    // Close order here: iterator, then read options, then the bound slice they point to.
    try (Slice upper = new Slice(toExclusive);
         ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
         RocksIterator it = db.newIterator(ro)) {
      for (it.seek(fromInclusive); it.isValid(); it.next()) {
        if (!visitor.visit(it.key(), it.value())) {
          return;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw wrap("scan failed", e);
    } finally {
      guard.readLock().unlock();
    }
  }

  @Override
  public void close() {
    guard.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        LOG.warn("Syncing the write-ahead log of {} at close failed", dir, e);
      }
      try {
        db.closeE();
      } catch (RocksDBException e) {
        LOG.warn("Closing metadata store {} reported an error", dir, e);
      }
      closeAll(openedWith);
      LOG.info("Closed metadata store {}", dir);
    } finally {
      guard.writeLock().unlock();
    }
  }

  private void lockForCall() {
    guard.readLock().lock();
    if (closed) {
      guard.readLock().unlock();
      throw new DovetailException(ErrorCode.UNAVAILABLE, "metadata store " + dir + " is closed");
    }
  }

  private static void closeAll(List<RocksObject> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private static DovetailException wrap(String what, RocksDBException e) {
    Status s = e.getStatus();
    Status.Code code = s == null ? Status.Code.IOError : s.getCode();
    ErrorCode ec = switch (code) {
      case IOError, Incomplete, Busy, TimedOut, TryAgain -> ErrorCode.STORAGE_IO_ERROR;
      default -> ErrorCode.INTERNAL;
    };
    return new DovetailException(ec, what + ": " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return "RocksKeyValueStore[" + dir + "]";
  }
}
