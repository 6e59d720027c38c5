package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.MetadataConfig;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The estimated heap of all shuffle indexes ({@link ShuffleState#indexBytes}) against {@code
 * dovetail.metadata.shuffle.indexMemoryLimit}. A registration reserves its shuffle's estimate
 * before the index is built and a deletion gives it back; recovery adds what it loads without a
 * check, since refusing to load stored shuffles would refuse to start.
 *
 * <p>Thread-safe: one atomic counter.
 */
final class IndexMemory {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  IndexMemory(long limit) {
    this.limit = limit;
  }

  /**
   * Reserves {@code bytes} for the shuffle {@code what}.
   *
   * @throws DovetailException INVALID_ARGUMENT if it alone is over the limit, RESOURCE_EXHAUSTED
   *     if it does not fit beside the shuffles registered now
   */
  void reserve(long bytes, String what) {
    Check.arg(bytes <= limit, what + " needs about " + bytes + " bytes of index memory, more "
        + "than the " + limit + " bytes " + MetadataConfig.INDEX_MEMORY_LIMIT.key()
        + " allows for all shuffles together");
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        throw new DovetailException(ErrorCode.RESOURCE_EXHAUSTED, what + " needs about " + bytes
            + " bytes of index memory; " + now + " of the " + limit + " bytes "
            + MetadataConfig.INDEX_MEMORY_LIMIT.key() + " allows are taken by the shuffles "
            + "registered now (unregistering shuffles frees room)");
      }
    } while (!used.compareAndSet(now, now + bytes));
  }

  /** Counts {@code bytes} whatever the limit: a shuffle loaded at a start. */
  void add(long bytes) {
    used.addAndGet(bytes);
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long used() {
    return used.get();
  }

  long limit() {
    return limit;
  }
}
