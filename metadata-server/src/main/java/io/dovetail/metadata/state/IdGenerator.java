package io.dovetail.metadata.state;

import io.dovetail.metadata.store.KeyValueStore;

/**
 * Issues strictly increasing ids that are never reused, across restarts: storage-server
 * incarnations and shuffle layout versions. The store holds a high-water mark that no issued id
 * reaches; it is raised a block at a time before ids of the new block are handed out, so a
 * restart continues above every id issued before (possibly skipping some). Thread-safe.
 */
final class IdGenerator {
  static final long BLOCK = 1000;

  private final KeyValueStore store;
  private long next; // guarded by this
  private long limit; // guarded by this

  private IdGenerator(KeyValueStore store, long start) {
    this.store = store;
    this.next = start;
    this.limit = start;
  }

  /** Continues from the persisted high-water mark; a new store starts at 1. */
  static IdGenerator recover(KeyValueStore store) {
    byte[] v = store.get(Keys.SEQ);
    return new IdGenerator(store, v == null ? 1 : Bytes.long64(v, 0));
  }

  synchronized long next() {
    if (next >= limit) {
      long newLimit = next + BLOCK;
      store.put(Keys.SEQ, Bytes.long64(newLimit));
      limit = newLimit;
    }
    return next++;
  }

  /** Makes sure later ids are above {@code seen} (an id found in a recovered record). */
  synchronized void ensureAbove(long seen) {
    if (next <= seen) {
      next = seen + 1;
    }
  }

  /** The id {@link #next()} would return. */
  synchronized long peek() {
    return next;
  }
}
