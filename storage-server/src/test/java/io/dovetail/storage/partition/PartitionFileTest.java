package io.dovetail.storage.partition;

import io.dovetail.common.DovetailException;

import java.io.FileOutputStream;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.OpenStreamRequest;
import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.disk.DataDirs;
import io.dovetail.storage.disk.HeldFlush;
import io.dovetail.storage.memory.ChunkPool;
import io.dovetail.storage.memory.CopyCredit;
import io.dovetail.storage.memory.MemoryBudget;
import io.dovetail.storage.stream.ReadStream;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.TestDirs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakDetectionExtension.class)
class PartitionFileTest {
  private final Random rnd = new Random(3);
  private Path root;
  private DataDir dir;
  private MemoryBudget budget;
  private ChunkPool pool;
  private PartitionStore store;

  @BeforeEach
  void setUp() throws Exception {
    root = TestDirs.create("partition-file");
    dir = new DataDir(0, root, 0, 0, 1);
    dir.start();
    budget = new MemoryBudget(64 << 20, 48 << 20);
    pool = new ChunkPool(UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, budget);
    store = new PartitionStore(new DataDirs(List.of(dir)), budget, pool, Runnable::run,
        Clock.systemUTC(), 32 * 1024, 0, 60_000);
    store.incarnation(42);
  }

  @AfterEach
  void tearDown() {
    dir.stop(Duration.ofSeconds(10));
    store.close();
    pool.close();
    assertThat(budget.used()).as("memory accounted at the end").isZero();
    assertThat(pool.idleBytes()).isZero();
  }

  private byte[] payload(int size) {
    byte[] b = new byte[size];
    rnd.nextBytes(b);
    return b;
  }

  private ErrorCode append(PartitionFile f, int map, int seq, byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    BatchHeader h = new BatchHeader(map, 1000 + map, seq, (byte) 0, 1, payload.length,
        (int) crc.getValue());
    ByteBuf src = Unpooled.wrappedBuffer(payload);
    CopyCredit credit = new CopyCredit(budget, 0, BatchHeader.SIZE + payload.length);
    try {
      return f.append(h, src, 0, credit);
    } finally {
      credit.releaseUnused();
      src.release();
    }
  }

  private PartitionFile newFile(int partition) {
    PartitionStore.ShuffleFiles sf = store.shuffleForWrite("app-1", 7);
    return store.fileForWrite(sf, partition, 0);
  }

  /** A file of partition {@code partition} holding one batch, sealed. */
  private PartitionFile sealedFile(int partition) throws Exception {
    PartitionFile f = newFile(partition);
    append(f, 0, 0, payload(100));
    f.seal().get(10, TimeUnit.SECONDS);
    return f;
  }

  /** A store over the same directory, as after a restart (close the first one before). */
  private PartitionStore restarted() {
    return new PartitionStore(new DataDirs(List.of(dir)), budget, pool, Runnable::run,
        Clock.systemUTC(), 32 * 1024, 0, 60_000);
  }

  /** The one sealed file a start-up scan of the directory finds, added to {@code fresh}. */
  private PartitionFile recoverOne(PartitionStore fresh) {
    PartitionFile found = new DirectoryScanner(fresh).scan(new DataDirs(List.of(dir))).get(0);
    fresh.addRecovered(List.of(found));
    return found;
  }

  /** Blocks the directory's flusher until the returned latch is counted down. */
  private CountDownLatch holdFlusher() throws InterruptedException {
    return HeldFlush.hold(dir.flusher());
  }

  private static byte[] bytesOf(Object body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (body instanceof ByteBuf b) {
      byte[] a = new byte[b.readableBytes()];
      b.getBytes(b.readerIndex(), a);
      return a;
    }
    FileRegion r = (FileRegion) body;
    var ch = Channels.newChannel(out);
    while (r.transferred() < r.count()) {
      r.transferTo(ch, r.transferred());
    }
    return out.toByteArray();
  }

  private static OpenStreamRequest all(PartitionFile f) {
    PartitionKey k = f.key();
    return new OpenStreamRequest(k.appId(), k.shuffleId(), k.partition(), k.epoch(), -1, 0,
        Integer.MAX_VALUE, null, null);
  }

  @Test
  void sealWritesTheDocumentedLayout() throws Exception {
    PartitionFile f = newFile(3);
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] p = payload(rnd.nextInt(6000));
      payloads.add(p);
      assertThat(append(f, i % 3, i, p)).isEqualTo(ErrorCode.NONE);
    }
    f.seal().get(10, TimeUnit.SECONDS);
    assertThat(f.state()).isEqualTo(PartitionFile.State.SEALED);
    assertThat(append(f, 0, 99, payload(10))).isEqualTo(ErrorCode.PARTITION_SEALED);

    Path data = root.resolve("app-1/7/3-0.data");
    assertThat(data).exists();
    assertThat(PartitionFileFormat.indexPath(data)).exists();
    try (FileChannel ch = FileChannel.open(data)) {
      PartitionFileFormat.Header h = PartitionFileFormat.readHeader(ch);
      assertThat(h.incarnation()).isEqualTo(42);
      assertThat(h.appId()).isEqualTo("app-1");
      assertThat(h.shuffleId()).isEqualTo(7);
      assertThat(h.partition()).isEqualTo(3);
      BatchIndex index = PartitionFileFormat.readIndex(PartitionFileFormat.indexPath(data),
          h.length(), ch.size());
      assertThat(index.size()).isEqualTo(30);
      for (int i = 0; i < 30; i++) {
        ByteBuffer rec = ByteBuffer.allocate(BatchHeader.SIZE + index.length(i));
        ch.read(rec, index.offset(i));
        rec.flip();
        BatchHeader bh = BatchHeader.read(Unpooled.wrappedBuffer(rec));
        assertThat(bh.batchSeq()).isEqualTo(i);
        assertThat(index.mapIndex(i)).isEqualTo(i % 3);
        byte[] got = new byte[bh.length()];
        rec.position(BatchHeader.SIZE).get(got);
        assertThat(got).isEqualTo(payloads.get(i));
      }
    }
    // A damaged index is detected.
    Path idx = PartitionFileFormat.indexPath(data);
    byte[] raw = Files.readAllBytes(idx);
    raw[30] ^= 1;
    Files.write(idx, raw);
    assertThatThrownBy(() -> PartitionFileFormat.readIndex(idx, f.key().appId().length() + 32,
        Files.size(data))).isInstanceOf(PartitionFileFormat.CorruptFileException.class);
  }

  @Test
  void streamReadsFlushedBytesFromTheFileAndTheRestFromMemory() throws Exception {
    PartitionFile f = newFile(1);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    // About 40k: over the 32k threshold, so a first part reaches the file.
    for (int i = 0; i < 10; i++) {
      byte[] p = payload(4000);
      append(f, 0, i, p);
    }
    awaitFlushed(f);
    long flushed = f.flushedOffset();
    assertThat(flushed).isGreaterThan(32 * 1024);
    CountDownLatch release = holdFlusher();
    for (int i = 10; i < 14; i++) {
      append(f, 0, i, payload(3000));
    }
    f.seal();
    assertThat(f.state()).isEqualTo(PartitionFile.State.SEALING);
    ReadStream s = new ReadStream(1, null, f, all(f), 16 * 1024);
    assertThat(s.batchCount()).isEqualTo(14);
    assertThat(s.heldMemoryChunks()).isPositive();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    boolean sawFile = false;
    boolean sawMemory = false;
    for (int c = 0; c < s.numChunks(); c++) {
      ReadStream.Body b = s.fetch(c, ByteBufAllocator.DEFAULT);
      try {
        sawFile |= b.body() instanceof FileRegion;
        sawMemory |= b.body() instanceof CompositeByteBuf;
        read.write(bytesOf(b.body()));
      } finally {
        ReferenceCountUtil.release(b.body());
        for (var chunk : b.pinned()) {
          chunk.release();
        }
      }
    }
    assertThat(sawFile).isTrue();
    assertThat(sawMemory).isTrue();
    release.countDown();
    f.seal().get(10, TimeUnit.SECONDS);
    // Once everything is in the file the stream lets go of memory, and reads come from disk.
    assertThat(s.heldMemoryChunks()).isZero();
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    for (int c = 0; c < s.numChunks(); c++) {
      ReadStream.Body b = s.fetch(c, ByteBufAllocator.DEFAULT);
      assertThat(b.body()).isInstanceOf(FileRegion.class);
      again.write(bytesOf(b.body()));
      ReferenceCountUtil.release(b.body());
    }
    assertThat(again.toByteArray()).isEqualTo(read.toByteArray());
    assertThat((long) read.size()).isEqualTo(s.totalBytes());
    byte[] file = Files.readAllBytes(f.dataPath());
    assertThat(read.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(file,
        PartitionFileFormat.headerLength("app-1"), file.length));
    s.close();
  }

  @Test
  void mapRangeStreamCarriesOnlyTheSelectedBatchesInSeveralRanges() throws Exception {
    PartitionFile f = newFile(2);
    for (int i = 0; i < 40; i++) {
      append(f, i % 4, i, payload(500));
    }
    f.seal().get(10, TimeUnit.SECONDS);
    PartitionKey k = f.key();
    ReadStream s = new ReadStream(2, null, f, new OpenStreamRequest(k.appId(), k.shuffleId(),
        k.partition(), 0, -1, 1, 2, null, null), 1 << 20);
    assertThat(s.batchCount()).isEqualTo(10);
    assertThat(s.totalBytes()).isEqualTo(10L * (BatchHeader.SIZE + 500));
    assertThat(s.numChunks()).isEqualTo(1);
    ReadStream.Body b = s.fetch(0, ByteBufAllocator.DEFAULT);
    byte[] bytes = bytesOf(b.body());
    ReferenceCountUtil.release(b.body());
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    int n = 0;
    while (in.isReadable()) {
      BatchHeader h = BatchHeader.read(in);
      assertThat(h.mapIndex()).isEqualTo(1);
      in.skipBytes(h.length());
      n++;
    }
    assertThat(n).isEqualTo(10);
    s.close();
  }

  @Test
  void failedWriteLosesTheFileAndFreesItsMemory() throws Exception {
    // The shuffle directory cannot be created: a file sits where it should be.
    Files.createDirectories(root.resolve("app-1"));
    Files.writeString(root.resolve("app-1/7"), "in the way");
    PartitionFile f = newFile(5);
    append(f, 0, 0, payload(1000));
    assertThatThrownBy(() -> f.seal().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("STORAGE_IO_ERROR");
    assertThat(f.state()).isEqualTo(PartitionFile.State.FAILED);
    assertThat(append(f, 0, 1, payload(10))).isEqualTo(ErrorCode.STORAGE_IO_ERROR);
    assertThat(store.drainLost()).singleElement()
        .satisfies(l -> assertThat(l.getPartition()).isEqualTo(5));
    assertThat(budget.used()).isZero();
    awaitChores(dir); // the file's space comes back with its deletion
    assertThat(dir.reservedBytes()).isZero();
  }

  /** Waits until the chores queued on {@code d} so far (deletions) have run. */
  private static void awaitChores(DataDir d) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    d.runChore(done::countDown);
    assertThat(done.await(30, TimeUnit.SECONDS)).as("chores of " + d).isTrue();
  }

  @Test
  void aFlushStillWritingAtShutdownKeepsItsMemoryUntilTheWriteReturns() throws Exception {
    // A stalled disk: the data file is a FIFO whose reader holds off, so the flusher's write
    // blocks once the pipe is full and outlasts the flusher's stop timeout.
    PartitionFile f = newFile(8);
    Path fifo = PartitionFileFormat.dataPath(root, f.key());
    Files.createDirectories(fifo.getParent());
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CountDownLatch drain = new CountDownLatch(1);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    AtomicInteger pending = new AtomicInteger();
    Thread reader = new Thread(() -> {
      try (var in = new FileInputStream(fifo.toFile())) {
        while (drain.getCount() > 0) {
          pending.set(in.available());
          drain.await(10, TimeUnit.MILLISECONDS);
        }
        in.transferTo(received);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "fifo-reader");
    reader.start();
    byte[] first = payload(256 * 1024);
    assertThat(append(f, 0, 0, first)).isEqualTo(ErrorCode.NONE);
    assertThat(append(f, 1, 0, payload(100_000))).isEqualTo(ErrorCode.NONE);
    Await.until(Duration.ofSeconds(10), "the flush writing into the full pipe",
        () -> pending.get() > 0);

    dir.stop(Duration.ofMillis(50));
    store.close();
    assertThat(f.isFlushing()).as("the stuck write still runs").isTrue();
    assertThat(budget.used()).as("its chunks are still held for it").isPositive();

    drain.countDown();
    reader.join(10_000);
    Await.until(Duration.ofSeconds(10), "the job freeing its memory", () -> budget.used() == 0);
    assertThat(f.isFlushing()).isFalse();
    byte[] bytes = received.toByteArray();
    int header = PartitionFileFormat.headerLength(f.key().appId());
    assertThat(bytes).as("the header and the first batch, intact").hasSize(
        header + BatchHeader.SIZE + first.length);
    assertThat(Arrays.copyOfRange(bytes, header + BatchHeader.SIZE, bytes.length))
        .isEqualTo(first);
  }

  @Test
  void deletingTheShuffleFreesMemoryAndFiles() throws Exception {
    PartitionFile f = newFile(6);
    for (int i = 0; i < 20; i++) {
      append(f, 0, i, payload(3000));
    }
    PartitionFile g = newFile(7);
    append(g, 0, 0, payload(10));
    g.seal().get(10, TimeUnit.SECONDS);
    store.removeShuffle(new ShuffleId("app-1", 7));
    assertThat(f.state()).isEqualTo(PartitionFile.State.DELETED);
    assertThat(append(f, 0, 99, payload(10))).isEqualTo(ErrorCode.UNKNOWN_SHUFFLE);
    assertThat(store.shuffleForWrite("app-1", 7)).as("tombstone").isNull();
    // The application's directory goes too, now empty: a long-running server would otherwise
    // keep one directory per application it ever served.
    io.dovetail.testkit.Await.until(Duration.ofSeconds(10), "files and directories deleted",
        () -> !Files.exists(root.resolve("app-1")) && budget.used() == 0
            && dir.reservedBytes() == 0);
    assertThat(root).as("the data directory itself stays").isDirectory();
  }

  /**
   * A file created after its empty directories were pruned by a deletion gets them back, and a
   * deletion on one directory whose device hangs holds up neither another directory's deletions
   * nor anything else: each directory has its own chore thread.
   */
  @Test
  void deletionsOfOneDirectoryDoNotWaitForAnother() throws Exception {
    DataDir other = new DataDir(1, TestDirs.create("partition-file-b"), 0, 0, 1);
    other.start();
    PartitionStore two = new PartitionStore(new DataDirs(List.of(dir, other)), budget, pool,
        Runnable::run, Clock.systemUTC(), 32 * 1024, 0, 60_000);
    two.incarnation(42);
    CountDownLatch hung = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    dir.runChore(() -> {
      holding.countDown();
      try {
        hung.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
      PartitionStore.ShuffleFiles sf = two.shuffleForWrite("app-3", 1);
      PartitionFile a = two.fileForWrite(sf, 0, 0);
      PartitionFile b = two.fileForWrite(sf, 1, 0);
      assertThat(a.dataPath().startsWith(root)).isTrue();
      assertThat(b.dataPath().startsWith(other.path())).isTrue();
      append(a, 0, 0, payload(100));
      append(b, 0, 0, payload(100));
      a.seal().get(10, TimeUnit.SECONDS);
      b.seal().get(10, TimeUnit.SECONDS);
      two.removeShuffle(new ShuffleId("app-3", 1));
      io.dovetail.testkit.Await.until(Duration.ofSeconds(10), "the other directory cleaned",
          () -> !Files.exists(other.path().resolve("app-3")) && other.reservedBytes() == 0);
      assertThat(a.dataPath()).as("waits for its own directory's chores").exists();
      hung.countDown();
      io.dovetail.testkit.Await.until(Duration.ofSeconds(10), "the hung directory cleaned",
          () -> !Files.exists(root.resolve("app-3")) && dir.reservedBytes() == 0);

      // A new shuffle of the same application recreates the pruned directories.
      PartitionStore.ShuffleFiles again = two.shuffleForWrite("app-3", 2);
      PartitionFile c = two.fileForWrite(again, 0, 0);
      append(c, 0, 0, payload(100));
      c.seal().get(10, TimeUnit.SECONDS);
      assertThat(c.dataPath()).exists();
    } finally {
      hung.countDown();
      other.stop(Duration.ofSeconds(10));
      two.close();
    }
  }

  @Test
  void scannerKeepsSealedFilesAndDeletesUnsealedOnes() throws Exception {
    PartitionFile sealed = sealedFile(8);
    PartitionFile open = newFile(9);
    for (int i = 0; i < 20; i++) {
      append(open, 0, i, payload(3000));
    }
    awaitFlushed(open);
    Path unsealed = open.dataPath();
    assertThat(unsealed).exists();
    store.close();

    PartitionStore fresh = restarted();
    List<PartitionFile> found = new DirectoryScanner(fresh).scan(new DataDirs(List.of(dir)));
    assertThat(found).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo(sealed.key());
      assertThat(p.incarnation()).isEqualTo(42);
      assertThat(p.state()).isEqualTo(PartitionFile.State.SEALED);
    });
    assertThat(unsealed).doesNotExist();
    fresh.addRecovered(found);
    assertThat(fresh.sealedFiles()).singleElement()
        .satisfies(s -> assertThat(s.getBytes()).isEqualTo(sealed.length()));
    ReadStream s = new ReadStream(3, null, found.get(0), all(found.get(0)), 1 << 20);
    assertThat(s.batchCount()).isEqualTo(1);
    s.close();
  }

  /**
   * A reader loading the index of a file found at start while the shuffle is deleted: the index
   * vanishes under it. That is the deletion, not a failing disk: the reader is told the shuffle
   * is gone and the directory stays healthy (it was marked unhealthy, refusing new partitions,
   * and the reader got STORAGE_IO_ERROR).
   */
  @Test
  void anIndexLoadRacingTheShuffleDeletionIsNotADiskFailure() throws Exception {
    PartitionFile sealed = sealedFile(10);
    store.close();
    long reservedBefore = dir.reservedBytes(); // the closed store's file keeps its reservation
    PartitionStore fresh = restarted();
    PartitionFile found = recoverOne(fresh);
    assertThat(found.needsIndexLoad()).isTrue();
    // The index becomes a FIFO: loading it blocks until the test opens the other end, through a
    // second name that survives the deletion.
    Path index = PartitionFileFormat.indexPath(found.dataPath());
    Files.delete(index);
    assertThat(new ProcessBuilder("mkfifo", index.toString()).start().waitFor()).isZero();
    Path otherName = root.resolve("index-fifo");
    Files.createLink(otherName, index);
    CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
      try {
        found.openRead(null);
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    io.dovetail.testkit.Await.until(Duration.ofSeconds(10), "the reader waits on the index",
        () -> Thread.getAllStackTraces().values().stream().anyMatch(stack -> Arrays.stream(stack)
            .anyMatch(e -> e.getMethodName().equals("readIndex"))));
    fresh.removeShuffle(new ShuffleId("app-1", 7));
    new FileOutputStream(otherName.toFile()).close(); // the index reads as empty
    Throwable t = reader.get(10, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(DovetailException.class);
    assertThat(((DovetailException) t).code()).isEqualTo(ErrorCode.UNKNOWN_SHUFFLE);
    assertThat(dir.isHealthy()).as("the directory is healthy").isTrue();
    awaitChores(dir);
    assertThat(dir.reservedBytes()).as("the deleted file's space is given back once")
        .isEqualTo(reservedBefore);
    Files.delete(otherName);
    fresh.close();
  }

  /**
   * An index that cannot be read for a reason that is not the file's (here the reading thread
   * is interrupted, as at shutdown; out of file descriptors is the same) keeps the sealed file:
   * the next read loads it. It was unlinked and reported lost, and its directory marked
   * unhealthy.
   */
  @Test
  void anIndexThatCannotBeReadForNowKeepsTheSealedFile() throws Exception {
    PartitionFile sealed = sealedFile(11);
    store.close();
    PartitionStore fresh = restarted();
    PartitionFile found = recoverOne(fresh);

    Thread.currentThread().interrupt();
    Throwable t;
    try {
      found.openRead(null);
      t = null;
    } catch (DovetailException e) {
      t = e;
    } finally {
      Thread.interrupted(); // clears the flag
    }
    assertThat(t).isInstanceOfSatisfying(DovetailException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_IO_ERROR));
    assertThat(Files.exists(found.dataPath())).as("data file kept").isTrue();
    assertThat(fresh.drainLost()).as("nothing reported lost").isEmpty();
    assertThat(dir.isHealthy()).isTrue();

    ReadStream s = new ReadStream(4, null, found, all(found), 1 << 20);
    assertThat(s.batchCount()).as("read on the next try").isEqualTo(1);
    s.close();
    fresh.close();
  }

  /**
   * An entry the scan at start cannot read (here a directory where a data file should be; as
   * well lost+found at a mount's root for a server not running as root) is left alone: the
   * sealed files beside it are found. The server failed to start.
   */
  @Test
  void anUnreadableEntryDoesNotKeepTheScanFromFindingTheSealedFiles() throws Exception {
    PartitionFile sealed = sealedFile(12);
    Path odd = sealed.dataPath().resolveSibling("99-0" + PartitionFileFormat.DATA_SUFFIX);
    Files.createDirectories(odd.resolve("inside"));
    store.close();
    PartitionStore fresh = restarted();
    List<PartitionFile> found = new DirectoryScanner(fresh).scan(new DataDirs(List.of(dir)));
    assertThat(found).extracting(PartitionFile::key).containsExactly(sealed.key());
    assertThat(Files.isDirectory(odd.resolve("inside"))).as("left alone").isTrue();
    assertThat(dir.isHealthy()).isTrue();
    fresh.addRecovered(found);
    fresh.close();
  }

  /**
   * A flush that does not return (the device hangs rather than fails) makes its directory
   * unhealthy for as long as it runs: no new files there, its files refuse batches so writers
   * move elsewhere (they were buffered until memory ran out, and every connection stopped).
   */
  @Test
  void aStalledFlushMakesTheDirectoryUnhealthyUntilItReturns() throws Exception {
    dir.flushStallTimeout(Duration.ofMillis(200));
    PartitionFile f = newFile(13);
    assertThat(append(f, 0, 0, payload(100))).isEqualTo(ErrorCode.NONE);
    CountDownLatch release = holdFlusher();
    try {
      io.dovetail.testkit.Await.until(Duration.ofSeconds(30), "the stall is noticed",
          dir::isStalled);
      assertThat(dir.isHealthy()).isFalse();
      assertThat(dir.hasRoom()).as("no new files here").isFalse();
      assertThat(dir.status().getHealthy()).as("reported in heartbeats").isFalse();
      assertThat(append(f, 0, 1, payload(100))).isEqualTo(ErrorCode.STORAGE_IO_ERROR);
    } finally {
      release.countDown();
    }
    io.dovetail.testkit.Await.until(Duration.ofSeconds(30), "the flush returned",
        () -> !dir.isStalled());
    assertThat(dir.isHealthy()).isTrue();
    assertThat(append(f, 0, 1, payload(100))).isEqualTo(ErrorCode.NONE);
    f.seal().get(10, TimeUnit.SECONDS);
  }

  /**
   * Pressure flushing passes over files on a stalled directory: queued behind the hung flush they
   * would free nothing, yet counted as relief they kept the healthy directory's buffers from
   * being flushed.
   */
  @Test
  void pressureFlushingPassesOverAStalledDirectory() throws Exception {
    DataDir healthy = new DataDir(1, TestDirs.create("partition-file-b"), 0, 0, 1);
    healthy.start();
    PartitionStore two = new PartitionStore(new DataDirs(List.of(dir, healthy)), budget, pool,
        Runnable::run, Clock.systemUTC(), 64 << 20, 200_000, 60_000);
    two.incarnation(42);
    dir.flushStallTimeout(Duration.ofMillis(200));
    try {
      PartitionStore.ShuffleFiles sf = two.shuffleForWrite("app-2", 1);
      PartitionFile onStalled = two.fileForWrite(sf, 0, 0);
      PartitionFile onHealthy = two.fileForWrite(sf, 1, 0);
      assertThat(onStalled.dataPath().startsWith(root)).as("on the directory to stall").isTrue();
      assertThat(append(onStalled, 0, 0, payload(1_000_000))).isEqualTo(ErrorCode.NONE);
      assertThat(append(onHealthy, 0, 0, payload(300_000))).isEqualTo(ErrorCode.NONE);
      CountDownLatch release = holdFlusher();
      try {
        io.dovetail.testkit.Await.until(Duration.ofSeconds(30), "the stall is noticed",
            dir::isStalled);
        two.pressureScan();
        io.dovetail.testkit.Await.until(Duration.ofSeconds(30), "the healthy file is flushed",
            () -> onHealthy.flushedOffset() > PartitionFileFormat.headerLength("app-2"));
        assertThat(onStalled.isFlushing()).as("not queued behind the hung flush").isFalse();
      } finally {
        release.countDown();
      }
    } finally {
      healthy.stop(Duration.ofSeconds(10));
      two.close();
    }
  }

  /** An index that cannot be read at all (here a directory in its place) loses the file. */
  @Test
  void anIndexThatCannotBeReadAtAllLosesTheFile() throws Exception {
    PartitionFile sealed = sealedFile(14);
    store.close();
    PartitionStore fresh = restarted();
    PartitionFile found = recoverOne(fresh);
    Path index = PartitionFileFormat.indexPath(found.dataPath());
    Files.delete(index);
    Files.createDirectory(index);
    assertThatThrownBy(() -> found.openRead(null)).isInstanceOfSatisfying(
        DovetailException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_IO_ERROR));
    assertThat(fresh.drainLost()).as("reported lost").hasSize(1);
    assertThat(found.state()).isEqualTo(PartitionFile.State.FAILED);
    Files.deleteIfExists(index);
    fresh.close();
  }

  /** A directory the start-up scan could not list stays out of use; a probe does not clear it. */
  @Test
  void aDirectoryTheScanCouldNotListTakesNoNewFilesUntilARestart() {
    dir.markUnscanned("cannot list it");
    dir.refresh(); // probes: the directory itself is writable
    assertThat(dir.hasRoom()).isFalse();
    assertThat(dir.status().getHealthy()).isFalse();
  }

  @Test
  void applicationIdsCannotEscapeTheDirectory() {
    assertThat(PartitionFileFormat.encodeAppId("../../etc")).doesNotContain("/")
        .doesNotStartWith(".");
    assertThat(PartitionFileFormat.encodeAppId("app-2024_01.x")).isEqualTo("app-2024_01.x");
    assertThat(PartitionFileFormat.validAppId("")).isFalse();
    assertThat(PartitionFileFormat.validAppId("x".repeat(81))).isFalse();
  }

  private static void awaitFlushed(PartitionFile f) {
    io.dovetail.testkit.Await.until(Duration.ofSeconds(10), "a flush of " + f,
        () -> f.flushedOffset() > PartitionFileFormat.headerLength(f.key().appId())
            && !f.isFlushing());
  }
}
