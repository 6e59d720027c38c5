package io.dovetail.storage.memory;

/**
 * The memory one admitted PUSH frame may spend on new partition-buffer chunks while its batches
 * are copied, and the bookkeeping that gives the rest back. Not thread-safe: used by the thread
 * handling the frame, except {@link #releaseFrame()}, which may run later on the thread that
 * completes replication (after a happens-before hand-off).
 *
 * <p>{@link MemoryBudget#tryAdmit} reserved twice the frame length: the frame half is given back by
 * {@link #releaseFrame()} once nothing holds the frame any more (after replicas answered); the
 * credit half pays for chunks through {@link #allocate}, and what is left is given back by
 * {@link #releaseUnused()}. Chunks are sized so the credit always covers every byte still to copy:
 * a chunk may be larger than the bytes it receives now by the credit's slack, or by memory
 * reserved from the budget on the spot when it has some free (so chunks keep their growing sizes
 * however small the frames are).
 */
public final class CopyCredit {
  private final MemoryBudget budget;
  private final long frameBytes;
  private long credit;
  private long dataLeft;
  private boolean frameReleased;

  /**
   * @param admittedBytes what admission returned for the frame (0 when it bypassed admission)
   * @param dataBytes bytes the copy may write at most (headers plus payloads of all batches)
   */
  public CopyCredit(MemoryBudget budget, int admittedBytes, long dataBytes) {
    this.budget = budget;
    this.frameBytes = admittedBytes;
    this.credit = admittedBytes;
    this.dataLeft = dataBytes;
  }

  /**
   * Capacity for a new chunk that should be {@code preferred} bytes and must take at least
   * {@code min(needed, preferred)}. The credit pays for the bytes still to copy (and its slack);
   * a larger preferred size is reserved from the budget's free memory when there is some (never
   * waiting, never past the limit), otherwise the chunk is cut to what the credit covers. Either
   * way the chunk's release gives its whole capacity back to the budget.
   */
  public int allocate(int preferred, int needed) {
    long covered = needed + Math.max(0, credit - dataLeft);
    if (preferred <= covered) {
      return pay(preferred);
    }
    long extra = preferred - covered;
    if (budget.tryReserveNow(extra)) {
      pay((int) covered);
      return preferred;
    }
    return pay((int) covered);
  }

  private int pay(int capacity) {
    if (credit >= capacity) {
      credit -= capacity;
    } else {
      // Only when admission was bypassed: account what the credit cannot pay for.
      budget.reserveUnchecked(capacity - credit);
      credit = 0;
    }
    return capacity;
  }

  /** {@code bytes} of the frame's data were copied or skipped. */
  public void consumed(long bytes) {
    dataLeft -= bytes;
  }

  /** Gives back the credit no chunk took. Idempotent. */
  public void releaseUnused() {
    long c = credit;
    credit = 0;
    dataLeft = 0;
    budget.releaseBytes(c);
  }

  /** Gives back the frame half of the admission. Idempotent. */
  public void releaseFrame() {
    if (!frameReleased) {
      frameReleased = true;
      budget.releaseBytes(frameBytes);
    }
  }
}
