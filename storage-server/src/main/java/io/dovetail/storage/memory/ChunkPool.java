package io.dovetail.storage.memory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reuses the direct buffers of partition chunks. Thread-safe.
 *
 * <p>Chunks come in power-of-two size classes from {@value #MIN_CLASS} to {@value #MAX_CLASS}
 * bytes. A freed chunk of a class is kept (most recently freed first, so its pages are still
 * warm) while the idle bytes plus the bytes the budget accounts stay within the budget's limit;
 * when the budget grows past that (new chunks of other classes, admitted frames), idle buffers
 * are freed ({@link #trimToFit}, the coldest of the largest class first), so the memory resident
 * for chunks and frames never exceeds the limit. Reuse matters: a general-purpose
 * pool returns memory it no longer needs, and touching fresh pages costs far more than copying
 * into warm ones. Chunks of other sizes (cut down when memory is tight) come from
 * {@code fallback} and are never kept.
 *
 * <p>Ownership: {@link #take} hands over one reference; {@link #give} takes it back. A buffer
 * still referenced elsewhere when given back is released rather than kept.
 */
public final class ChunkPool implements AutoCloseable {
  public static final int MIN_CLASS = 8 * 1024;
  public static final int MAX_CLASS = 1024 * 1024;
  private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_CLASS)
      - Integer.numberOfTrailingZeros(MIN_CLASS) + 1;

  private final ByteBufAllocator classAllocator;
  private final ByteBufAllocator fallback;
  private final MemoryBudget budget;
  private final java.util.List<ConcurrentLinkedDeque<ByteBuf>> free =
      new java.util.ArrayList<>(CLASSES);
  private final AtomicLong idleBytes = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param classAllocator allocates the class-size buffers kept here (an unpooled allocator:
   *     this pool does the pooling)
   * @param fallback allocates buffers of other sizes
   */
  public ChunkPool(ByteBufAllocator classAllocator, ByteBufAllocator fallback,
      MemoryBudget budget) {
    this.classAllocator = classAllocator;
    this.fallback = fallback;
    this.budget = budget;
    for (int i = 0; i < CLASSES; i++) {
      free.add(new ConcurrentLinkedDeque<>());
    }
    budget.admitListener(this::trimToFit);
  }

  /** The size class of {@code capacity}, or -1 when it is not one. */
  static int sizeClass(int capacity) {
    if (capacity < MIN_CLASS || capacity > MAX_CLASS || Integer.bitCount(capacity) != 1) {
      return -1;
    }
    return Integer.numberOfTrailingZeros(capacity) - Integer.numberOfTrailingZeros(MIN_CLASS);
  }

  /** An empty direct buffer of exactly {@code capacity} bytes. */
  public ByteBuf take(int capacity) {
    int c = sizeClass(capacity);
    if (c < 0) {
      trimToFit();
      return fallback.directBuffer(capacity, capacity);
    }
    ByteBuf b = free.get(c).pollFirst();
    if (b != null) {
      idleBytes.addAndGet(-capacity);
      return b;
    }
    trimToFit();
    return classAllocator.directBuffer(capacity, capacity);
  }

  /**
   * Frees idle buffers while they and the bytes the budget accounts exceed its limit: before
   * new memory is allocated. Cheap when they do not (two reads); any thread.
   */
  public void trimToFit() {
    trimToFit(0);
  }

  /**
   * As {@link #trimToFit()}, with {@code unbacked} accounted bytes that are not memory yet (an
   * admitted frame's copy credit, which chunks from this pool may fill): counting them would
   * free the very buffers the copy is about to take.
   */
  public void trimToFit(long unbacked) {
    long excess = idleBytes.get() + budget.used() - unbacked - budget.limit();
    for (int c = CLASSES - 1; c >= 0 && excess > 0; c--) {
      ConcurrentLinkedDeque<ByteBuf> q = free.get(c);
      for (ByteBuf b; excess > 0 && (b = q.pollLast()) != null; ) {
        idleBytes.addAndGet(-b.capacity());
        excess -= b.capacity();
        b.release();
      }
    }
  }

  /** Takes back a buffer from {@link #take}: kept for reuse, or released. */
  public void give(ByteBuf buf) {
    int capacity = buf.capacity();
    int c = sizeClass(capacity);
    if (c < 0 || closed || buf.refCnt() != 1
        || idleBytes.get() + capacity + budget.used() > budget.limit()) {
      buf.release();
      return;
    }
    buf.clear();
    idleBytes.addAndGet(capacity);
    free.get(c).addFirst(buf);
    if (closed) {
      drain();
    }
  }

  /** Bytes kept for reuse now. */
  public long idleBytes() {
    return idleBytes.get();
  }

  private void drain() {
    for (ConcurrentLinkedDeque<ByteBuf> q : free) {
      for (ByteBuf b; (b = q.pollFirst()) != null; ) {
        idleBytes.addAndGet(-b.capacity());
        b.release();
      }
    }
  }

  /** Releases every kept buffer; later returns are released at once. */
  @Override
  public void close() {
    closed = true;
    drain();
  }
}
