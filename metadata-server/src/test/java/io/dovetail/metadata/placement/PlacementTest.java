package io.dovetail.metadata.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private final Placement placement = new Placement();

  private static Map<Long, Integer> primaries(long[][] rows) {
    Map<Long, Integer> m = new HashMap<>();
    for (long[] row : rows) {
      m.merge(row[0], 1, Integer::sum);
    }
    return m;
  }

  private static Map<Long, Integer> copies(long[][] rows) {
    Map<Long, Integer> m = new HashMap<>();
    for (long[] row : rows) {
      for (long id : row) {
        m.merge(id, 1, Integer::sum);
      }
    }
    return m;
  }

  @Test
  void primaryAndReplicasAreDistinctServers() {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      int servers = 1 + random.nextInt(6);
      int replication = 1 + random.nextInt(Math.min(3, servers));
      List<Candidate> candidates = LongStream.rangeClosed(1, servers)
          .mapToObj(id -> new Candidate(id, random.nextInt(1000), random.nextInt(1000),
              random.nextInt(100), 100))
          .toList();
      long[][] rows = placement.place(candidates, 1 + random.nextInt(200), replication);
      for (long[] row : rows) {
        assertThat(row).hasSize(replication);
        assertThat(Arrays.stream(row).distinct().count()).isEqualTo(replication);
        assertThat(Arrays.stream(row).allMatch(id -> id >= 1 && id <= servers)).isTrue();
      }
    }
  }

  @Test
  void noPartitionsNeedNoCandidates() {
    assertThat(placement.place(List.of(), 0, 3)).isEmpty();
    assertThat(placement.place(List.of(Candidate.unknown(1)), 0, 2)).isEmpty();
  }

  @Test
  void equalServersShareEvenlyIncludingPrimaries() {
    List<Candidate> c = List.of(Candidate.unknown(1), Candidate.unknown(2), Candidate.unknown(3));
    long[][] rows = placement.place(c, 300, 2);
    assertThat(primaries(rows)).containsOnly(Map.entry(1L, 100), Map.entry(2L, 100),
        Map.entry(3L, 100));
    assertThat(copies(rows)).containsOnly(Map.entry(1L, 200), Map.entry(2L, 200),
        Map.entry(3L, 200));
  }

  @Test
  void moreFreeCapacityGetsProportionallyMore() {
    List<Candidate> c = List.of(new Candidate(1, 200L << 30, 0, 0, 0),
        new Candidate(2, 100L << 30, 0, 0, 0));
    Map<Long, Integer> p = primaries(placement.place(c, 300, 1));
    assertThat(p.get(1L)).isBetween(198, 202);
    assertThat(p.get(2L)).isBetween(98, 102);
  }

  @Test
  void loadedServerGetsFewer() {
    List<Candidate> memoryFull = List.of(new Candidate(1, 100, 0, 0, 1000),
        new Candidate(2, 100, 0, 1000, 1000));
    Map<Long, Integer> p = primaries(placement.place(memoryFull, 300, 1));
    assertThat(p.get(1L)).isBetween(198, 202);

    List<Candidate> busyPushing = List.of(new Candidate(1, 100, 0, 0, 0),
        new Candidate(2, 100, 50L << 20, 0, 0));
    Map<Long, Integer> q = primaries(placement.place(busyPushing, 300, 1));
    assertThat(q.get(1L)).isGreaterThan(q.get(2L));
  }

  @Test
  void fullServerStillGetsAFloorShare() {
    double[] w = Placement.weights(List.of(new Candidate(1, 1000, 0, 0, 0),
        new Candidate(2, 0, 0, 0, 0)));
    assertThat(w[0]).isEqualTo(1.0);
    assertThat(w[1]).isEqualTo(Placement.MIN_CAPACITY_SCORE);
  }

  @Test
  void successiveSmallPlacementsRotate() {
    List<Candidate> c = List.of(Candidate.unknown(1), Candidate.unknown(2), Candidate.unknown(3));
    long a = placement.place(c, 1, 1)[0][0];
    long b = placement.place(c, 1, 1)[0][0];
    long d = placement.place(c, 1, 1)[0][0];
    assertThat(List.of(a, b, d)).containsExactlyInAnyOrder(1L, 2L, 3L);
  }

  @Test
  void inputOrderDoesNotMatter() {
    List<Candidate> c = List.of(new Candidate(1, 50, 0, 0, 0), new Candidate(2, 100, 0, 0, 0),
        new Candidate(3, 70, 0, 0, 0));
    long[][] x = new Placement().place(c, 100, 2);
    long[][] y = new Placement().place(List.of(c.get(2), c.get(0), c.get(1)), 100, 2);
    assertThat(x).isDeepEqualTo(y);
  }

  @Test
  void tooFewCandidatesIsNotEnoughServers() {
    assertThatThrownBy(() -> placement.place(List.of(Candidate.unknown(1)), 4, 2))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.NOT_ENOUGH_SERVERS));
    assertThatThrownBy(() -> placement.place(List.of(), 1, 1))
        .isInstanceOf(DovetailException.class);
  }
}
