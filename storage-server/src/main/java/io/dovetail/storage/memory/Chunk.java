package io.dovetail.storage.memory;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;

/**
 * One piece of a partition buffer: a direct buffer from a {@link ChunkPool} whose capacity stays
 * accounted in the {@link MemoryBudget} until the last reference to this chunk is released.
 * Reference counted (thread-safe); the bytes are written by one thread under the owning
 * partition's lock and only read afterwards.
 *
 * <p>Ownership: the partition buffer holds one reference until the chunk's bytes are in the file.
 * A read stream that sends bytes still in memory holds one more per chunk until the stream no
 * longer needs it, and one per chunk while a response built from it is being written. Slices of
 * {@link #buf()} handed to Netty keep the memory alive but not the accounting: whoever hands them
 * out holds a chunk reference until the write completes.
 */
public final class Chunk extends AbstractReferenceCounted {
  private final ByteBuf buf;
  private final ChunkPool pool;
  private final MemoryBudget budget;
  private final long position;

  private Chunk(ByteBuf buf, ChunkPool pool, MemoryBudget budget, long position) {
    this.buf = buf;
    this.pool = pool;
    this.budget = budget;
    this.position = position;
  }

  /**
   * A chunk of exactly {@code capacity} bytes whose first byte belongs at {@code position} of its
   * file. The capacity must already be accounted in {@code budget} (by a {@link CopyCredit}); this
   * chunk gives it back when freed.
   */
  public static Chunk allocate(ChunkPool pool, MemoryBudget budget, int capacity,
      long position) {
    ByteBuf b;
    try {
      b = pool.take(capacity);
    } catch (RuntimeException | Error e) {
      budget.releaseBytes(capacity);
      throw e;
    }
    return new Chunk(b, pool, budget, position);
  }

  /** The memory; bytes [0, writerIndex) are data. Owned by this chunk. */
  public ByteBuf buf() {
    return buf;
  }

  /** File position of the chunk's first byte. */
  public long position() {
    return position;
  }

  /** File position just past the chunk's data. */
  public long end() {
    return position + buf.writerIndex();
  }

  public int capacity() {
    return buf.capacity();
  }

  @Override
  protected void deallocate() {
    int capacity = buf.capacity();
    // Budget first: the pool keeps the buffer only if it fits beside what stays accounted.
    try {
      budget.releaseBytes(capacity);
    } finally {
      pool.give(buf);
    }
  }

  @Override
  public Chunk touch(Object hint) {
    buf.touch(hint);
    return this;
  }

  @Override
  public String toString() {
    return "Chunk[" + position + ".." + end() + ", capacity " + buf.capacity() + "]";
  }
}
