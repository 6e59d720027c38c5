package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.placement.Candidate;
import io.dovetail.metadata.placement.Placement;
import java.util.List;
import java.util.Set;

/**
 * Chooses servers for new epochs: asks the registry for candidates (ACTIVE, heard from in time,
 * with a healthy data directory), drops excluded ones, and hands them to {@link Placement}.
 * Thread-safe.
 */
final class Allocator {
  private final ServerRegistry servers;
  private final Placement placement;

  Allocator(ServerRegistry servers, Placement placement) {
    this.servers = servers;
    this.placement = placement;
  }

  /** Epoch 0 of {@code partitions} partitions. */
  Epoch[][] initial(int partitions, int replication) {
    long[][] rows = place(partitions, replication, List.of(Set.of()));
    Epoch.Interner interner = new Epoch.Interner();
    Epoch[][] out = new Epoch[partitions][];
    for (int p = 0; p < partitions; p++) {
      out[p] = new Epoch[] {interner.intern(new Epoch(0, rows[p], 0))};
    }
    return out;
  }

  /**
   * Servers for {@code count} new copies sets, avoiding servers as much as possible: {@code
   * preferences} lists exclusion sets from strictest to loosest; the first that leaves enough
   * candidates is used.
   *
   * @throws DovetailException NOT_ENOUGH_SERVERS if even the loosest leaves too few (never when
   *     {@code count} is 0: a shuffle without partitions needs no server)
   */
  long[][] place(int count, int replication, List<Set<Long>> preferences) {
    if (count == 0) {
      return new long[0][];
    }
    DovetailException last = null;
    for (Set<Long> excluded : preferences) {
      List<Candidate> candidates = servers.candidates(excluded);
      if (candidates.size() >= replication) {
        return placement.place(candidates, count, replication);
      }
      last = new DovetailException(ErrorCode.NOT_ENOUGH_SERVERS, "replication " + replication
          + " needs " + replication + " active storage servers with a healthy data directory, "
          + candidates.size() + " available");
    }
    if (last == null) {
      throw new IllegalArgumentException("no placement preference given");
    }
    throw last;
  }
}
