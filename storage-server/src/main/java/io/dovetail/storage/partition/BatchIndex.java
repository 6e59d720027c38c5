package io.dovetail.storage.partition;

import java.util.Arrays;

/**
 * The batches of one partition file in file order, as parallel primitive arrays so that recording
 * a batch allocates nothing (beyond amortized growth). Not thread-safe: appended under the owning
 * {@link PartitionFile}'s lock; once the file is sealed it no longer changes and may be read by
 * any thread that obtained it through that lock.
 */
public final class BatchIndex {
  /** Bytes of one entry in the index file. */
  public static final int ENTRY_SIZE = 8 + 4 + 8 + 4 + 4;

  private long[] offsets;
  private int[] maps;
  private long[] attempts;
  private int[] seqs;
  private int[] lengths;
  private int size;

  public BatchIndex(int capacity) {
    int c = Math.max(4, capacity);
    offsets = new long[c];
    maps = new int[c];
    attempts = new long[c];
    seqs = new int[c];
    lengths = new int[c];
  }

  /** Records a batch whose header starts at {@code offset} and whose payload is {@code length}. */
  public void add(long offset, int mapIndex, long attemptId, int batchSeq, int length) {
    if (size == offsets.length) {
      int c = size * 2;
      offsets = Arrays.copyOf(offsets, c);
      maps = Arrays.copyOf(maps, c);
      attempts = Arrays.copyOf(attempts, c);
      seqs = Arrays.copyOf(seqs, c);
      lengths = Arrays.copyOf(lengths, c);
    }
    offsets[size] = offset;
    maps[size] = mapIndex;
    attempts[size] = attemptId;
    seqs[size] = batchSeq;
    lengths[size] = length;
    size++;
  }

  public int size() {
    return size;
  }

  /** File position of batch {@code i}'s header. */
  public long offset(int i) {
    return offsets[i];
  }

  public int mapIndex(int i) {
    return maps[i];
  }

  public long attemptId(int i) {
    return attempts[i];
  }

  public int batchSeq(int i) {
    return seqs[i];
  }

  /** Payload bytes of batch {@code i} (its record is {@code BatchHeader.SIZE} more). */
  public int length(int i) {
    return lengths[i];
  }
}
