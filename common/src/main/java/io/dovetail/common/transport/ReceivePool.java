package io.dovetail.common.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct memory for the bodies of large received frames (a reader's chunks), reused across frames.
 * Thread-safe.
 *
 * <p>Without it a chunk would stay in the socket's receive buffers until the reader consumed it,
 * on another thread, and the general-purpose pool gives the memory of emptied pool chunks back to
 * the system: every chunk then lands in freshly faulted pages. Here the event loop copies each
 * frame body out of its receive buffers (which it then frees on its own thread, so they stay in
 * its cache) into a buffer of this pool, whose memory stays mapped.
 *
 * <p>Buffers come in size classes: powers of two from {@value #MIN_CLASS} bytes to 1 MiB, then
 * every whole MiB up to {@value #MAX_CLASS} bytes (a read chunk of 4 MiB plus its fields takes
 * 5 MiB, not 8). {@link #take} returns a buffer of exactly the requested capacity over the memory of the next
 * class up. When the last reference to it is released, the memory returns to the pool, which
 * keeps at most {@code maxIdleBytes} idle and frees the rest.
 */
public final class ReceivePool implements AutoCloseable {
  public static final int MIN_CLASS = 64 * 1024;
  public static final int MAX_CLASS = 16 * 1024 * 1024;
  private static final int MIB = 1024 * 1024;
  /** Power-of-two classes up to 1 MiB. */
  private static final int SMALL_CLASSES = Integer.numberOfTrailingZeros(MIB)
      - Integer.numberOfTrailingZeros(MIN_CLASS) + 1;
  private static final int CLASSES = SMALL_CLASSES + MAX_CLASS / MIB - 1;

  /** The leases wrap memory by address. */
  private static final boolean UNSAFE = PlatformDependent.hasUnsafe();

  private final long maxIdleBytes;
  private final List<ConcurrentLinkedDeque<ByteBuffer>> free = new ArrayList<>(CLASSES);
  private final AtomicLong idleBytes = new AtomicLong();
  private final AtomicLong allocatedBytes = new AtomicLong();
  private final AtomicLong reused = new AtomicLong();
  private volatile boolean closed;

  /** @param maxIdleBytes memory kept for reuse at most; 0 turns reuse off */
  public ReceivePool(long maxIdleBytes) {
    this.maxIdleBytes = maxIdleBytes;
    for (int i = 0; i < CLASSES; i++) {
      free.add(new ConcurrentLinkedDeque<>());
    }
  }

  /** True when a body of {@code bytes} is received into this pool rather than left in place. */
  public boolean accepts(int bytes) {
    return maxIdleBytes > 0 && bytes >= MIN_CLASS && bytes <= MAX_CLASS && UNSAFE;
  }

  static int sizeClass(int bytes) {
    if (bytes > MIB) {
      return SMALL_CLASSES + (bytes - 1) / MIB - 1;
    }
    int rounded = bytes <= MIN_CLASS ? MIN_CLASS : Integer.highestOneBit(bytes - 1) << 1;
    return Integer.numberOfTrailingZeros(rounded) - Integer.numberOfTrailingZeros(MIN_CLASS);
  }

  static int classBytes(int sizeClass) {
    return sizeClass < SMALL_CLASSES ? MIN_CLASS << sizeClass
        : (sizeClass - SMALL_CLASSES + 2) * MIB;
  }

  /**
   * An empty buffer of exactly {@code capacity} bytes ({@link #accepts} must hold). Its writer
   * index is 0; release it as usual, from any thread.
   */
  public ByteBuf take(int capacity) {
    if (!accepts(capacity)) {
      throw new IllegalArgumentException("no receive buffer class for " + capacity + " bytes");
    }
    int c = sizeClass(capacity);
    int classBytes = classBytes(c);
    ByteBuffer memory = free.get(c).pollFirst();
    if (memory != null) {
      idleBytes.addAndGet(-classBytes);
      reused.incrementAndGet();
    } else {
      memory = ByteBuffer.allocateDirect(classBytes);
      allocatedBytes.addAndGet(classBytes);
    }
    ByteBuffer view = memory.duplicate();
    view.clear().limit(capacity);
    return new Lease(memory, c, view.slice(), capacity);
  }

  private void giveBack(ByteBuffer memory, int c) {
    int classBytes = classBytes(c);
    if (!closed && idleBytes.get() + classBytes <= maxIdleBytes) {
      idleBytes.addAndGet(classBytes);
      free.get(c).addFirst(memory);
      if (!closed) {
        return;
      }
      drain();
      return;
    }
    allocatedBytes.addAndGet(-classBytes);
    PlatformDependent.freeDirectBuffer(memory);
  }

  /** Memory held now, idle or lent out. */
  public long allocatedBytes() {
    return allocatedBytes.get();
  }

  /** Memory idle in the pool now. */
  public long idleBytes() {
    return idleBytes.get();
  }

  /** Buffers handed out over memory used before. */
  public long reuseCount() {
    return reused.get();
  }

  private void drain() {
    for (int c = 0; c < CLASSES; c++) {
      for (ByteBuffer b; (b = free.get(c).pollFirst()) != null; ) {
        idleBytes.addAndGet(-classBytes(c));
        allocatedBytes.addAndGet(-classBytes(c));
        PlatformDependent.freeDirectBuffer(b);
      }
    }
  }

  /** Frees the idle memory; buffers still lent out are freed when released. */
  @Override
  public void close() {
    closed = true;
    drain();
  }

  /** A buffer over pooled memory that goes back to the pool when released. */
  private final class Lease extends UnpooledUnsafeDirectByteBuf {
    private final ByteBuffer memory;
    private final int sizeClass;

    Lease(ByteBuffer memory, int sizeClass, ByteBuffer view, int capacity) {
      super(UnpooledByteBufAllocator.DEFAULT, view, capacity);
      this.memory = memory;
      this.sizeClass = sizeClass;
      clear();
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      giveBack(memory, sizeClass);
    }
  }
}
