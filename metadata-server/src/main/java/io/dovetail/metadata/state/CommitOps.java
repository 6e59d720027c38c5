package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Map commits and the sums read plans expect. Let W be the current winner of a map index: no W,
 * this attempt wins; same attempt, an idempotent repeat; a higher stage attempt replaces W;
 * otherwise the attempt loses and learns W. Only the winner's record is stored (one key per map
 * index); per-partition totals over winners live in {@link ShuffleState}.
 *
 * <p>Thread-safe: each operation holds the shuffle's lock while it reads and writes that
 * shuffle's commits, so the stored records, winners and totals change together.
 */
final class CommitOps {
  private static final Logger LOG = LoggerFactory.getLogger(CommitOps.class);

  private final KeyValueStore store;
  private final Clock clock;
  private final Namespace namespace;

  CommitOps(KeyValueStore store, Clock clock, Namespace namespace) {
    this.store = store;
    this.clock = clock;
    this.namespace = namespace;
  }

  /**
   * The most bytes (or records, or batches) one map attempt may commit: 512 GiB. The shuffle's
   * totals sum at most {@code maxMaps} (at most 16 million) commits, so none can overflow.
   */
  static final long MAX_MAP_TOTAL = 1L << 39;

  CommitMapResponse commitMap(CommitMapRequest req) {
    ShuffleState s = namespace.shuffle(req.getAppId(), req.getShuffleId());
    int map = req.getMapIndex();
    Check.arg(map >= 0 && map < s.numMaps, "map_index must be in 0.." + (s.numMaps - 1)
        + " for shuffle " + s + ", got " + map);
    Check.nonNegative(req.getAttemptId(), "attempt_id");
    Check.nonNegative(req.getStageAttempt(), "stage_attempt");
    Check.nonNegative(req.getStageId(), "stage_id");
    long run = stageRun(req.getStageId(), req.getStageAttempt());
    long[][] arrays = {
        array(req.getPartitionBytesList(), s.numPartitions, "partition_bytes"),
        array(req.getPartitionRecordsList(), s.numPartitions, "partition_records"),
        array(req.getPartitionBatchesList(), s.numPartitions, "partition_batches")};
    byte[] key = Keys.commit(s.appId, s.shuffleId, map);
    byte[] value = Codec.commit(req.getAttemptId(), run, clock.millis(),
        s.numPartitions, arrays);
    s.lockLive();
    try {
      long winner = s.winnerAttempt[map];
      if (winner == ShuffleState.NO_ATTEMPT) {
        store.put(key, value);
        win(s, map, req, run, arrays);
        return answer(true, req.getAttemptId(), run, arrays[Codec.BYTES]);
      }
      if (winner == req.getAttemptId()) {
        return answer(true, winner, s.winnerStage[map], stored(s, map).full(Codec.BYTES));
      }
      if (run > s.winnerStage[map]) {
        Codec.Commit old = stored(s, map);
        store.put(key, value);
        addTotals(s, old, -1);
        s.committedMaps--;
        win(s, map, req, run, arrays);
        LOG.info("Map {} of shuffle {}: attempt {} of stage {}.{} replaces attempt {} of stage {}.{}",
            map, s, req.getAttemptId(), req.getStageId(), req.getStageAttempt(), winner,
            old.stageRun >>> 32, (int) old.stageRun);
        return answer(true, req.getAttemptId(), run, arrays[Codec.BYTES]);
      }
      return answer(false, winner, s.winnerStage[map], stored(s, map).full(Codec.BYTES));
    } finally {
      s.unlock();
    }
  }

  /**
   * The order of a map's runs: a stage that re-runs a shuffle's maps later has a larger stage id
   * (Spark makes a new stage for a later job or AQE query stage, whose attempt numbers start
   * over: no higher than the winners' perhaps), or the same id and a larger attempt.
   */
  static long stageRun(int stageId, int stageAttempt) {
    return ((long) stageId << 32) | (stageAttempt & 0xFFFFFFFFL);
  }

  private static void win(ShuffleState s, int map, CommitMapRequest req, long run,
      long[][] arrays) {
    s.winnerAttempt[map] = req.getAttemptId();
    s.winnerStage[map] = run;
    s.committedMaps++;
    add(s.totalBytes, arrays[Codec.BYTES], 1);
    add(s.totalRecords, arrays[Codec.RECORDS], 1);
    add(s.totalBatches, arrays[Codec.BATCHES], 1);
    s.committedBytes += sum(arrays[Codec.BYTES]);
  }

  /** Adds {@code sign} x a stored commit's arrays to the shuffle's totals. */
  static void addTotals(ShuffleState s, Codec.Commit c, int sign) {
    long before = sum(s.totalBytes);
    c.addRange(Codec.BYTES, 0, s.numPartitions, s.totalBytes, sign);
    c.addRange(Codec.RECORDS, 0, s.numPartitions, s.totalRecords, sign);
    c.addRange(Codec.BATCHES, 0, s.numPartitions, s.totalBatches, sign);
    s.committedBytes += sum(s.totalBytes) - before;
  }

  private static void add(long[] total, long[] values, int sign) {
    for (int i = 0; i < values.length; i++) {
      total[i] += sign * values[i];
    }
  }

  private static long sum(long[] values) {
    long t = 0;
    for (long v : values) {
      t += v;
    }
    return t;
  }

  /** The winner's stored record; its absence while a winner is known is an INTERNAL error. */
  private Codec.Commit stored(ShuffleState s, int map) {
    byte[] v = store.get(Keys.commit(s.appId, s.shuffleId, map));
    if (v == null) {
      throw new DovetailException(ErrorCode.INTERNAL,
          "commit record of map " + map + " of shuffle " + s + " is missing");
    }
    return checked(s, map, new Codec.Commit(v));
  }

  private static Codec.Commit checked(ShuffleState s, int map, Codec.Commit c) {
    if (c.attemptId != s.winnerAttempt[map] || c.numPartitions != s.numPartitions) {
      throw new DovetailException(ErrorCode.INTERNAL, "stored commit of map " + map
          + " of shuffle " + s + " (attempt " + c.attemptId + ") disagrees with the winner "
          + s.winnerAttempt[map]);
    }
    return c;
  }

  private static long[] array(List<Long> values, int numPartitions, String field) {
    if (values.isEmpty()) {
      return new long[0];
    }
    Check.arg(values.size() == numPartitions, field + " must be empty or have " + numPartitions
        + " entries (one per partition), got " + values.size());
    long[] out = new long[numPartitions];
    long total = 0;
    for (int i = 0; i < numPartitions; i++) {
      long v = values.get(i);
      Check.arg(v >= 0, field + "[" + i + "] must be >= 0, got " + v);
      out[i] = v;
      total += Math.min(v, MAX_MAP_TOTAL + 1); // checked at each step: cannot overflow
      Check.arg(total <= MAX_MAP_TOTAL, field + " must sum to at most " + MAX_MAP_TOTAL
          + " for one map attempt");
    }
    return out;
  }

  private static CommitMapResponse answer(boolean committed, long attempt, long run,
      long[] bytes) {
    CommitMapResponse.Builder b = CommitMapResponse.newBuilder().setCommitted(committed)
        .setWinnerAttemptId(attempt).setWinnerStageAttempt((int) run);
    if (bytes.length > 0 && sum(bytes) > 0) {
      for (long v : bytes) {
        b.addWinnerPartitionBytes(v);
      }
    }
    return b.build();
  }

  /**
   * Expected bytes, records and batches ({@code [kind][partition - start]}) of partitions {@code
   * [start, end)} summed over the winners of maps {@code [startMap, endMap)}. Decodes only the
   * commits of the smaller side: the maps in range, or the maps outside it subtracted from the
   * totals. Caller holds the shuffle's lock.
   */
  long[][] expected(ShuffleState s, int start, int end, int startMap, int endMap) {
    int n = end - start;
    long[][] out = new long[3][n];
    boolean whole = startMap == 0 && endMap == s.numMaps;
    if (!whole && (long) (endMap - startMap) * 2 <= s.numMaps) {
      addStored(s, startMap, endMap, start, end, out, 1);
      return out;
    }
    System.arraycopy(s.totalBytes, start, out[Codec.BYTES], 0, n);
    System.arraycopy(s.totalRecords, start, out[Codec.RECORDS], 0, n);
    System.arraycopy(s.totalBatches, start, out[Codec.BATCHES], 0, n);
    if (!whole) {
      addStored(s, 0, startMap, start, end, out, -1);
      addStored(s, endMap, s.numMaps, start, end, out, -1);
    }
    return out;
  }

  private void addStored(ShuffleState s, int fromMap, int toMap, int start, int end,
      long[][] out, int sign) {
    if (fromMap >= toMap) {
      return;
    }
    store.scan(Keys.commit(s.appId, s.shuffleId, fromMap),
        Keys.commit(s.appId, s.shuffleId, toMap), (k, v) -> {
          Codec.Commit c = checked(s, Keys.indexOf(k), new Codec.Commit(v));
          for (int kind = 0; kind < 3; kind++) {
            c.addRange(kind, start, end, out[kind], sign);
          }
          return true;
        });
  }
}
