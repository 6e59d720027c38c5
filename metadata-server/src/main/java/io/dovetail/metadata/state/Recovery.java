package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.MetadataConfig;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.metadata.store.KvBatch;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the in-memory state from the store at start: schema check, servers (with a fresh grace
 * period), applications (with a fresh TTL), shuffles, their epochs and copy counts, winning
 * commits and per-partition totals, and the index memory they take (all loaded even over its
 * limit, with a warning). Records whose owner is gone (which the atomic deletes should never leave
 * behind) are deleted and logged. A value that cannot be decoded fails the start with INTERNAL.
 * Runs once, before any call is served; not thread-safe.
 */
final class Recovery {
  static final int SCHEMA = 1;
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  private final KeyValueStore store;
  private final IdGenerator ids;
  private final Clock clock;
  private final ServerRegistry servers;
  private final Namespace namespace;
  private final KvBatch orphans = new KvBatch();

  Recovery(KeyValueStore store, IdGenerator ids, Clock clock, ServerRegistry servers,
      Namespace namespace) {
    this.store = store;
    this.ids = ids;
    this.clock = clock;
    this.servers = servers;
    this.namespace = namespace;
  }

  static void checkSchema(KeyValueStore store) {
    byte[] v = store.get(Keys.SCHEMA);
    if (v == null) {
      store.put(Keys.SCHEMA, Bytes.long64(SCHEMA));
      return;
    }
    long found = Bytes.long64(v, 0);
    if (found != SCHEMA) {
      throw new DovetailException(ErrorCode.INTERNAL, "metadata store has schema " + found
          + "; this server understands schema " + SCHEMA);
    }
  }

  void run() {
    long started = System.nanoTime();
    long now = clock.millis();
    servers.recover();
    store.scanPrefix(Keys.family(Keys.APP), (k, v) -> {
      String appId = Keys.appOf(k);
      namespace.apps.put(appId, Codec.app(appId, v, now));
      return true;
    });
    int[] counts = new int[3];
    store.scanPrefix(Keys.family(Keys.SHUFFLE), (k, v) -> {
      AppState a = namespace.apps.get(Keys.appOf(k));
      if (a == null) {
        orphan(k, "shuffle");
        return true;
      }
      ShuffleState s = Codec.shuffle(a.appId, Keys.shuffleOf(k), v);
      ids.ensureAbove(s.layoutVersion);
      a.shuffles.put(s.shuffleId, s);
      namespace.memory.add(s.indexBytes());
      counts[0]++;
      return true;
    });
    Epoch.Interner interner = new Epoch.Interner();
    store.scanPrefix(Keys.family(Keys.LAYOUT), (k, v) -> {
      ShuffleState s = namespace.find(Keys.appOf(k), Keys.shuffleOf(k));
      int p = Keys.indexOf(k);
      if (s == null || p < 0 || p >= s.numPartitions) {
        orphan(k, "partition layout");
        return true;
      }
      s.epochs[p] = Codec.epochs(v, interner);
      LayoutChange.countCopies(servers, s.epochs[p], 1);
      counts[1]++;
      return true;
    });
    store.scanPrefix(Keys.family(Keys.COMMIT), (k, v) -> {
      ShuffleState s = namespace.find(Keys.appOf(k), Keys.shuffleOf(k));
      int m = Keys.indexOf(k);
      if (s == null || m < 0 || m >= s.numMaps) {
        orphan(k, "commit");
        return true;
      }
      Codec.Commit c = new Codec.Commit(v);
      if (c.numPartitions != s.numPartitions) {
        throw Bytes.corrupt("commit of map " + m + " of shuffle " + s + " has "
            + c.numPartitions + " partitions");
      }
      s.winnerAttempt[m] = c.attemptId;
      s.winnerStage[m] = c.stageRun;
      s.committedMaps++;
      CommitOps.addTotals(s, c, 1);
      counts[2]++;
      return true;
    });
    for (AppState a : namespace.apps.values()) {
      for (ShuffleState s : a.shuffles.values()) {
        for (int p = 0; p < s.numPartitions; p++) {
          if (s.epochs[p] == null) {
            throw Bytes.corrupt("shuffle " + s + " has no layout for partition " + p);
          }
        }
      }
    }
    store.write(orphans);
    IndexMemory memory = namespace.memory;
    if (memory.used() > memory.limit()) {
      // Loaded all the same: refusing would refuse to start. New shuffles wait for room.
      LOG.warn("The {} recovered shuffles take about {} bytes of index memory, more than the {} "
          + "bytes {} allows: new shuffles are refused until enough are unregistered",
          counts[0], memory.used(), memory.limit(), MetadataConfig.INDEX_MEMORY_LIMIT.key());
    }
    LOG.info("Recovered {} storage server incarnations, {} applications, {} shuffles, {} "
        + "partition layouts, {} commits in {} ms; next id {}", servers.all().size(),
        namespace.apps.size(), counts[0], counts[1], counts[2],
        (System.nanoTime() - started) / 1_000_000, ids.peek());
  }

  private void orphan(byte[] key, String what) {
    LOG.warn("Deleting an orphaned {} record of application {}", what, Keys.appOf(key));
    orphans.delete(key);
  }
}
