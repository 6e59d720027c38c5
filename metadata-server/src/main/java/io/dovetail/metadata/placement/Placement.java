package io.dovetail.metadata.placement;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the servers of new partition copies: a primary and {@code replication - 1} replicas on
 * distinct servers per partition, spread in proportion to each server's weight.
 *
 * <p>Weight. Capacity score: a server's free bytes divided by the largest free bytes among the
 * candidates (1 when it reports none, or when no candidate has free space); at least {@value
 * #MIN_CAPACITY_SCORE}. Load: {@code pushShare} is its recent push bytes divided by the largest
 * among the candidates, {@code memoryShare} its memory use over its limit (both 0..1). Weight =
 * capacity score / (1 + pushShare + memoryShare), so an idle server with twice the free space gets
 * twice the partitions, and the busiest server gets between a third and a half of what an idle
 * one gets.
 *
 * <p>Spread. Stride scheduling: each partition's primary is the candidate with the smallest
 * {@code (primaries + 1) / weight}, each replica the remaining candidate with the smallest {@code
 * (copies + 1) / weight}, counting what this call assigned so far. Ties go to the next candidate
 * (by id) after a rotating start, so successive calls do not all begin on the same server. The
 * result is deterministic for a given sequence of calls, which tests rely on.
 *
 * <p>Thread-safe: the only state is the rotation counter.
 */
public final class Placement {
  /** Floor of the capacity score, so a nearly full server is not weighted at zero. */
  public static final double MIN_CAPACITY_SCORE = 0.02;

  private final AtomicInteger rotation = new AtomicInteger();

  /**
   * Servers for {@code partitions} partitions: {@code result[p][0]} is the primary of partition p,
   * the rest its replicas; all ids are candidates' ids, distinct within a row.
   *
   * @throws DovetailException NOT_ENOUGH_SERVERS when fewer than {@code replication} candidates
   *     for at least one partition (no partitions need no candidate)
   */
  public long[][] place(List<Candidate> candidates, int partitions, int replication) {
    if (replication < 1) {
      throw new IllegalArgumentException("replication must be >= 1: " + replication);
    }
    if (partitions == 0) {
      return new long[0][];
    }
    if (candidates.size() < replication) {
      throw new DovetailException(ErrorCode.NOT_ENOUGH_SERVERS, "replication " + replication
          + " needs " + replication + " active storage servers, " + candidates.size()
          + " available");
    }
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingLong(Candidate::id));
    int n = sorted.size();
    double[] weight = weights(sorted);
    long[] primaries = new long[n];
    long[] copies = new long[n];
    int start = Math.floorMod(rotation.getAndIncrement(), n);
    long[][] out = new long[partitions][replication];
    boolean[] taken = new boolean[n];
    for (int p = 0; p < partitions; p++) {
      Arrays.fill(taken, false);
      int primary = pick(weight, primaries, taken, start);
      taken[primary] = true;
      primaries[primary]++;
      copies[primary]++;
      out[p][0] = sorted.get(primary).id();
      for (int r = 1; r < replication; r++) {
        int replica = pick(weight, copies, taken, start);
        taken[replica] = true;
        copies[replica]++;
        out[p][r] = sorted.get(replica).id();
      }
    }
    return out;
  }

  private static int pick(double[] weight, long[] count, boolean[] taken, int start) {
    int n = weight.length;
    int best = -1;
    double bestScore = Double.POSITIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      int i = (start + k) % n;
      if (taken[i]) {
        continue;
      }
      double score = (count[i] + 1) / weight[i];
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  /** The weight of each candidate, in the given order (see the class comment). */
  public static double[] weights(List<Candidate> candidates) {
    long maxFree = 0;
    long maxPush = 0;
    for (Candidate c : candidates) {
      maxFree = Math.max(maxFree, c.freeBytes());
      maxPush = Math.max(maxPush, c.recentPushBytes());
    }
    double[] w = new double[candidates.size()];
    for (int i = 0; i < w.length; i++) {
      Candidate c = candidates.get(i);
      double capacity = c.freeBytes() < 0 || maxFree <= 0
          ? 1.0 : Math.max(MIN_CAPACITY_SCORE, (double) c.freeBytes() / maxFree);
      double push = maxPush <= 0 ? 0 : (double) Math.max(0, c.recentPushBytes()) / maxPush;
      double memory = c.memoryLimitBytes() <= 0 ? 0
          : Math.min(1.0, Math.max(0, (double) c.memoryUsedBytes() / c.memoryLimitBytes()));
      w[i] = capacity / (1 + push + memory);
    }
    return w;
  }
}
