package io.dovetail.storage.partition;

import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.storage.memory.Chunk;
import io.dovetail.storage.memory.ChunkPool;
import io.dovetail.storage.memory.CopyCredit;
import io.dovetail.storage.memory.MemoryBudget;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The bytes of one partition file not yet written: chunks holding exactly the file range
 * [flushedOffset, appendOffset), in file order, the last one (the tail) receiving appends. Chunk
 * sizes double from {@link ChunkPool#MIN_CLASS} to {@link ChunkPool#MAX_CLASS} and start small
 * again at each flush. A record's 29-byte header never straddles two chunks; its payload may.
 * Not thread-safe: guarded by the owning {@link PartitionFile}'s lock.
 *
 * <p>Ownership: holds one reference to each chunk in it. Chunks handed out by
 * {@link #removeFlushed} and {@link #removeAll} come with that reference (the caller releases
 * them, outside the lock); {@link #retainAll} gives the caller references of its own.
 */
final class PartitionBuffer {
  private static final Chunk[] NONE = new Chunk[0];

  private final ChunkPool pool;
  private final MemoryBudget budget;
  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
  private Chunk tail;
  private int nextChunkSize = ChunkPool.MIN_CLASS;

  PartitionBuffer(ChunkPool pool, MemoryBudget budget) {
    this.pool = pool;
    this.budget = budget;
  }

  boolean isEmpty() {
    return chunks.isEmpty();
  }

  /**
   * Copies one record: {@code header}, then {@code header.length()} bytes at {@code srcIndex} of
   * {@code src}; its first byte belongs at file position {@code offset}. New chunks are paid by
   * {@code credit}.
   */
  void append(BatchHeader header, ByteBuf src, int srcIndex, long offset, CopyCredit credit) {
    int length = header.length();
    if (tail == null || tail.buf().writableBytes() < BatchHeader.SIZE) {
      newTail(credit, BatchHeader.SIZE + length, offset);
    }
    header.write(tail.buf());
    int copied = 0;
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
  }

  /** A new chunk for appends whose first byte goes to file position {@code position}. */
  private void newTail(CopyCredit credit, int needed, long position) {
    int capacity = credit.allocate(nextChunkSize, needed);
    Chunk c = Chunk.allocate(pool, budget, capacity, position);
    chunks.add(c);
    tail = c;
    nextChunkSize = Math.min(ChunkPool.MAX_CLASS, nextChunkSize * 2);
  }

  /** No more appends into the current tail; the next append starts a new chunk. */
  void retireTail() {
    tail = null;
  }

  /**
   * Every chunk, for a flush, which borrows them: they stay here until {@link #removeFlushed}.
   * The tail is retired (so the flush frees it) and chunk growth starts small again: the next
   * bytes may be few.
   */
  Chunk[] takeForFlush() {
    tail = null;
    nextChunkSize = ChunkPool.MIN_CLASS;
    return chunks.toArray(NONE);
  }

  /** Removes the first {@code n} chunks (a flush wrote them); the caller releases them. */
  Chunk[] removeFlushed(int n) {
    Chunk[] out = new Chunk[n];
    for (int i = 0; i < n; i++) {
      out[i] = chunks.pollFirst();
    }
    return out;
  }

  /** Every chunk with a reference of the caller's own. */
  Chunk[] retainAll() {
    if (chunks.isEmpty()) {
      return NONE;
    }
    Chunk[] out = chunks.toArray(NONE);
    for (Chunk c : out) {
      c.retain();
    }
    return out;
  }

  /** Empties the buffer; the caller releases the chunks returned. */
  Chunk[] removeAll() {
    Chunk[] out = chunks.toArray(NONE);
    chunks.clear();
    tail = null;
    return out;
  }

  static void release(Chunk[] chunks) {
    for (Chunk c : chunks) {
      c.release();
    }
  }
}
