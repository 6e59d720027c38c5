package io.dovetail.examples.elastic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

class SkewedWorkTest {
  static final SkewedWork WORK = new SkewedWork(20_000, 4, 8, 0.7, 2, 3, 16, 5);

  @Test
  void theSkewedPartitionGetsItsShareAndTheOthersShareTheRest() {
    long[] perPartition = new long[WORK.reduces()];
    long total = 0;
    for (int m = 0; m < WORK.maps(); m++) {
      for (var it = WORK.generate(m); it.hasNext();) {
        perPartition[it.next()._1() % WORK.reduces()]++;
        total++;
      }
    }
    assertThat(total).isEqualTo(WORK.records());
    assertThat(perPartition[SkewedWork.TAIL_PARTITION]).isBetween(13_600L, 14_400L);
    for (int p = 1; p < WORK.reduces(); p++) {
      assertThat(perPartition[p]).isBetween(700L, 1_020L);
    }
  }

  @Test
  void theDigestIgnoresRowOrderButNotValues() {
    List<Tuple2<Integer, Tuple2<Long, Long>>> rows = WORK.expected();
    assertThat(SkewedWork.records(rows)).isEqualTo(WORK.records());
    List<Tuple2<Integer, Tuple2<Long, Long>>> shuffled = new ArrayList<>(rows);
    Collections.reverse(shuffled);
    assertThat(SkewedWork.digest(shuffled)).isEqualTo(SkewedWork.digest(rows)).hasSize(16);
    shuffled.set(0, new Tuple2<>(shuffled.get(0)._1(),
        new Tuple2<>(shuffled.get(0)._2()._1(), shuffled.get(0)._2()._2() + 1)));
    assertThat(SkewedWork.digest(shuffled)).isNotEqualTo(SkewedWork.digest(rows));
  }

  @Test
  void generationIsDeterministicAndSeeded() {
    assertThat(WORK.generate(2).next()).isEqualTo(WORK.generate(2).next());
    SkewedWork other = new SkewedWork(20_000, 4, 8, 0.7, 2, 3, 16, 6);
    assertThat(SkewedWork.digest(other.expected())).isNotEqualTo(SkewedWork.digest(
        WORK.expected()));
  }

  @Test
  void badParametersAreRefused() {
    assertThatThrownBy(() -> new SkewedWork(10, 1, 1, 0.5, 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SkewedWork(10, 1, 4, 1.0, 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
