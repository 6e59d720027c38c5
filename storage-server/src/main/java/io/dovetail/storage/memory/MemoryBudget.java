package io.dovetail.storage.memory;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.protocol.FrameAdmission;
import io.dovetail.common.protocol.FrameException;
import io.dovetail.common.protocol.MessageType;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage server's off-heap memory budget: frames being received plus partition buffer
 * chunks. Thread-safe; the admission fast path is one compare-and-set.
 *
 * <p>Admission: a PUSH frame of {@code n} bytes reserves {@code 2n} before its body is read: {@code
 * n} for the frame itself and {@code n} of <em>copy credit</em> from which the handler allocates
 * the partition-buffer chunks its batches are copied into (the copied bytes never exceed the frame
 * length). This way a frame that was admitted can always be copied and released without waiting
 * for anything, so frames never deadlock the budget, and the accounted bytes never exceed the
 * limit. Other frame types are small and reserve nothing. {@link #tryAdmit} returns {@code n}; the
 * handler gives the two halves back through a {@link CopyCredit}, and
 * {@link #release(int)} (used by the frame decoder for frames that never reach the handler) gives
 * back both.
 *
 * <p>Client pushes may fill only {@link #CLIENT_SHARE} of the budget; frames a primary forwards
 * to this server as a replica ({@code PUSH_FORWARD}) may fill all of it. A forwarded frame waits
 * on nothing (replicas forward no further), so it is copied, answered and freed; with room always
 * kept for them, two servers replicating to each other with full budgets cannot wait on each
 * other.
 *
 * <p>When a frame does not fit, {@link #tryAdmit} answers -1, remembers the connection's wake-up
 * and tells the pressure listener (which flushes partition buffers); the connection stops reading.
 * Every release wakes the waiters that now fit.
 */
public final class MemoryBudget implements FrameAdmission {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryBudget.class);
  /** Share of the limit that client pushes may use; the rest is kept for replica traffic. */
  public static final double CLIENT_SHARE = 0.8;
  /**
   * Frames other than pushes up to this size are not accounted: requests and answers of a few
   * bytes. Larger ones (a SEAL or OPEN_STREAM naming many partitions or maps) are held whole
   * until decoded, so they are admitted like pushes, lest a few of them exhaust direct memory
   * outside the budget.
   */
  public static final int SMALL_FRAME = 64 * 1024;

  private final long limit;
  private final long clientLimit;
  private final long highWatermark;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  /** Waiters registered or registering; read without the lock on every release. */
  private final AtomicInteger waiterCount = new AtomicInteger();
  /** Guarded by {@code this}. */
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  /** Guarded by {@code this}. */
  private long waitingBytes;
  private volatile Runnable pressureListener = () -> { };
  private volatile java.util.function.LongConsumer admitListener = unbacked -> { };

  private record Waiter(long bytes, long cap, Runnable wakeUp) {}

  /**
   * @param limit bytes that may be accounted at once
   * @param highWatermark accounted bytes above which the pressure listener is told after each
   *     admission
   */
  public MemoryBudget(long limit, long highWatermark) {
    if (limit <= 0 || highWatermark <= 0 || highWatermark > limit) {
      throw new IllegalArgumentException("bad memory limit " + limit + " / " + highWatermark);
    }
    this.limit = limit;
    this.clientLimit = (long) (limit * CLIENT_SHARE);
    this.highWatermark = highWatermark;
  }

  /**
   * Sets what runs (on any thread, possibly an event loop, so it must not block) when memory is
   * short: an admission failed or usage is above the high watermark.
   */
  public void pressureListener(Runnable listener) {
    this.pressureListener = listener;
  }

  /**
   * Sets what runs (on any thread, without blocking) after a frame is admitted, with the bytes of
   * the reservation that are not memory yet (its copy credit): the chunk pool frees idle buffers
   * there, so idle memory, frames and chunks together stay within the limit.
   */
  public void admitListener(java.util.function.LongConsumer listener) {
    this.admitListener = listener;
  }

  public long limit() {
    return limit;
  }

  /** What client pushes may fill; the rest of the limit is kept for replica traffic. */
  public long clientLimit() {
    return clientLimit;
  }

  public long highWatermark() {
    return highWatermark;
  }

  /** Bytes accounted now. */
  public long used() {
    return used.get();
  }

  /** The most bytes ever accounted at once. */
  public long peak() {
    return peak.get();
  }

  /**
   * Bytes to free so that every waiting frame fits under its own cap: a client push may use only
   * {@link #clientLimit()}, so measuring against the whole limit would leave a large push short
   * with nothing left to flush for it. 0 or less when nothing waits or everything would fit.
   */
  public synchronized long shortfall() {
    if (waiters.isEmpty()) {
      return 0;
    }
    long cap = Long.MAX_VALUE;
    for (Waiter w : waiters) {
      cap = Math.min(cap, w.cap);
    }
    return waitingBytes - (cap - used.get());
  }

  /** Bytes that waiting connections need admitted. */
  public synchronized long waitingBytes() {
    return waitingBytes;
  }

  @Override
  public int tryAdmit(MessageType type, int frameLength, Runnable wakeUp) {
    boolean push = type == MessageType.PUSH || type == MessageType.PUSH_FORWARD;
    if (!push && frameLength <= SMALL_FRAME) {
      return 0;
    }
    long cap = type == MessageType.PUSH_FORWARD ? limit : clientLimit;
    long need = 2L * frameLength;
    if (need > cap) {
      throw new FrameException(ErrorCode.FRAME_TOO_LARGE, type + " frame of " + frameLength
          + " bytes needs " + need + " bytes of the storage memory budget (the frame and "
          + (push ? "its copy" : "what it decodes to") + "), more than the " + cap
          + " it may use (dovetail.storage.memoryLimit=" + limit + "); lower "
          + CommonConfig.MAX_FRAME_SIZE.key() + " on the client");
    }
    if (waiterCount.get() == 0 && tryReserve(need, cap)) {
      admitListener.accept(frameLength);
      return frameLength;
    }
    synchronized (this) {
      // Count ourselves before trying, so a concurrent release either sees us or frees memory
      // that this attempt sees.
      waiterCount.incrementAndGet();
      if (tryReserve(need, cap)) {
        waiterCount.decrementAndGet();
        admitListener.accept(frameLength);
        return frameLength;
      }
      waiters.add(new Waiter(need, cap, wakeUp));
      waitingBytes += need;
    }
    pressureListener.run();
    return -1;
  }

  /** Gives back what {@link #tryAdmit} reserved for a frame of {@code bytes} (both halves). */
  @Override
  public void release(int bytes) {
    releaseBytes(2L * bytes);
  }

  /** Gives back {@code bytes} and wakes the waiting connections that now fit. */
  public void releaseBytes(long bytes) {
    if (bytes == 0) {
      return;
    }
    long now = used.addAndGet(-bytes);
    if (now < 0) {
      throw new IllegalStateException("memory budget released below zero: " + now);
    }
    if (waiterCount.get() > 0) {
      wakeWaiters();
    }
  }

  /**
   * Accounts {@code bytes} whatever the limit. Only for callers that bypass admission (tests that
   * call a handler directly); the server's own paths never exceed the limit.
   */
  void reserveUnchecked(long bytes) {
    long now = used.addAndGet(bytes);
    peak.accumulateAndGet(now, Math::max);
  }

  /**
   * Reserves {@code bytes} if they fit under the limit right now; never waits. For memory that is
   * welcome but not needed (a partition chunk larger than the bytes it must hold).
   */
  public boolean tryReserveNow(long bytes) {
    return waiterCount.get() == 0 && tryReserve(bytes, clientLimit);
  }

  private boolean tryReserve(long bytes, long cap) {
    while (true) {
      long u = used.get();
      long next = u + bytes;
      if (next > cap) {
        return false;
      }
      if (used.compareAndSet(u, next)) {
        if (next > peak.get()) {
          peak.accumulateAndGet(next, Math::max);
        }
        if (next > highWatermark) {
          pressureListener.run();
        }
        return true;
      }
    }
  }

  private void wakeWaiters() {
    List<Runnable> wake = new ArrayList<>();
    synchronized (this) {
      long inUse = used.get();
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext() && inUse < limit; ) {
        Waiter w = it.next();
        if (inUse + w.bytes <= w.cap) {
          inUse += w.bytes;
          waitingBytes -= w.bytes;
          it.remove();
          waiterCount.decrementAndGet();
          wake.add(w.wakeUp);
        }
      }
    }
    wake.forEach(MemoryBudget::runWakeUp);
  }

  /** A wake-up that fails (its connection's event loop has shut down) must not fail a release. */
  private static void runWakeUp(Runnable wakeUp) {
    try {
      wakeUp.run();
    } catch (RuntimeException e) {
      LOG.warn("A waiting connection could not be woken up", e);
    }
  }

  @Override
  public void cancel(Runnable wakeUp) {
    synchronized (this) {
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.wakeUp == wakeUp) {
          it.remove();
          waitingBytes -= w.bytes;
          waiterCount.decrementAndGet();
          return;
        }
      }
    }
  }

  /** Wakes every waiting connection (at close, so their channels can finish closing). */
  public void wakeAll() {
    List<Runnable> wake = new ArrayList<>();
    synchronized (this) {
      for (Waiter w : waiters) {
        wake.add(w.wakeUp);
        waiterCount.decrementAndGet();
      }
      waiters.clear();
      waitingBytes = 0;
    }
    wake.forEach(MemoryBudget::runWakeUp);
  }

  @Override
  public String toString() {
    return "MemoryBudget[used=" + used.get() + ", peak=" + peak.get() + ", limit=" + limit + "]";
  }
}
