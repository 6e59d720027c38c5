package io.dovetail.metadata.state;

import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.metadata.store.KvBatch;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pending epoch changes of one shuffle: collected, then persisted in one atomic write together
 * with a new layout version, and only then applied to memory (so a failed write changes nothing).
 * Used while holding the shuffle's lock. Not thread-safe.
 */
final class LayoutChange {
  private final ShuffleState shuffle;
  private final Map<Integer, Epoch[]> changed = new TreeMap<>();

  LayoutChange(ShuffleState shuffle) {
    this.shuffle = shuffle;
  }

  /** The epochs of {@code partition} including changes made so far. */
  Epoch[] current(int partition) {
    Epoch[] e = changed.get(partition);
    return e != null ? e : shuffle.epochs[partition];
  }

  void set(int partition, Epoch[] epochs) {
    changed.put(partition, epochs);
  }

  /** Replaces one epoch of {@code partition} (matched by epoch number). */
  void replace(int partition, Epoch replacement) {
    Epoch[] cur = current(partition).clone();
    for (int i = 0; i < cur.length; i++) {
      if (cur[i].epoch == replacement.epoch) {
        cur[i] = replacement;
        set(partition, cur);
        return;
      }
    }
    throw new IllegalStateException("partition " + partition + " has no epoch "
        + replacement.epoch);
  }

  void append(int partition, Epoch next) {
    Epoch[] cur = current(partition);
    Epoch[] out = Arrays.copyOf(cur, cur.length + 1);
    out[cur.length] = next;
    set(partition, out);
  }

  boolean isEmpty() {
    return changed.isEmpty();
  }

  int size() {
    return changed.size();
  }

  /** Persists the changes with a new layout version, then applies them. No-op when empty. */
  void commit(KeyValueStore store, IdGenerator ids, ServerRegistry servers) {
    if (changed.isEmpty()) {
      return;
    }
    long version = ids.next();
    KvBatch batch = new KvBatch();
    for (Map.Entry<Integer, Epoch[]> e : changed.entrySet()) {
      batch.put(Keys.layout(shuffle.appId, shuffle.shuffleId, e.getKey()),
          Codec.epochs(e.getValue()));
    }
    batch.put(Keys.shuffle(shuffle.appId, shuffle.shuffleId), Codec.shuffle(shuffle, version));
    store.write(batch);
    shuffle.layoutVersion = version;
    for (Map.Entry<Integer, Epoch[]> e : changed.entrySet()) {
      // Count the new copies first: a server whose count dropped to 0 in between could be
      // forgotten by the maintenance pass while the new epochs still name it.
      countCopies(servers, e.getValue(), 1);
      countCopies(servers, shuffle.epochs[e.getKey()], -1);
      shuffle.epochs[e.getKey()] = e.getValue();
    }
    changed.clear();
  }

  /** Adds {@code sign} per non-lost copy in {@code epochs} to each server's copy count. */
  static void countCopies(ServerRegistry servers, Epoch[] epochs, int sign) {
    if (epochs == null) {
      return;
    }
    for (Epoch e : epochs) {
      for (int slot = 0; slot < e.size(); slot++) {
        if (!e.isLost(slot)) {
          servers.addCopies(e.server(slot), sign);
        }
      }
    }
  }
}
