package io.dovetail.cli.bench;

import static io.dovetail.cli.bench.ElasticCase.BUILTIN;
import static io.dovetail.cli.bench.ElasticCase.BUILTIN_KILL;
import static io.dovetail.cli.bench.ElasticCase.DOVETAIL;
import static io.dovetail.cli.bench.ElasticCase.BUILTIN_KILL_WRITER;
import static io.dovetail.cli.bench.ElasticCase.DOVETAIL_KILL;
import static io.dovetail.cli.bench.ElasticCase.DOVETAIL_KILL_WRITER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ElasticCaseTest {

  @Test
  void evenRepetitionsSwapEachPairSoNeitherShuffleAlwaysGoesFirst() {
    List<ElasticCase> all = List.of(BUILTIN, DOVETAIL, BUILTIN_KILL, DOVETAIL_KILL);
    assertThat(ElasticCase.order(all, 1)).isEqualTo(all);
    assertThat(ElasticCase.order(all, 2)).containsExactly(DOVETAIL, BUILTIN, DOVETAIL_KILL,
        BUILTIN_KILL);
    assertThat(ElasticCase.order(all, 3)).isEqualTo(all);
    // Cases without their counterpart next to them keep their place.
    assertThat(ElasticCase.order(List.of(BUILTIN, DOVETAIL_KILL, BUILTIN_KILL), 2))
        .containsExactly(BUILTIN, BUILTIN_KILL, DOVETAIL_KILL);
    assertThat(ElasticCase.order(List.of(DOVETAIL), 2)).containsExactly(DOVETAIL);
  }

  @Test
  void casesAreNamedByLabel() {
    assertThat(ElasticCase.of("dovetail-kill")).isEqualTo(DOVETAIL_KILL);
    assertThat(DOVETAIL_KILL.dovetail()).isTrue();
    assertThat(DOVETAIL_KILL.kill()).isTrue();
    assertThat(BUILTIN.counterpart()).isEqualTo(DOVETAIL);
    assertThat(ElasticCase.of("builtin-kill-writer")).isEqualTo(BUILTIN_KILL_WRITER);
    assertThat(BUILTIN_KILL_WRITER.counterpart()).isEqualTo(DOVETAIL_KILL_WRITER);
    assertThatThrownBy(() -> ElasticCase.of("celeborn"))
        .hasMessage("no case 'celeborn'; the cases are builtin, dovetail, builtin-kill, "
            + "dovetail-kill, builtin-kill-writer, dovetail-kill-writer");
  }

  @Test
  void eachCaseKillsAtMostOnceAtTheMomentItNames() {
    assertThat(BUILTIN.kill()).isFalse();
    assertThat(DOVETAIL.killAt()).isEqualTo(ElasticCase.Kill.NONE);
    assertThat(BUILTIN_KILL.killAt()).isEqualTo(ElasticCase.Kill.IDLE_IN_TAIL);
    assertThat(DOVETAIL_KILL_WRITER.killAt()).isEqualTo(ElasticCase.Kill.TAIL_WRITER);
    assertThat(DOVETAIL_KILL_WRITER.kill()).isTrue();
    // An undisturbed case matches no announcement of the job.
    assertThat(ElasticCase.Kill.NONE.moment()).isEmpty();
    assertThat(ElasticCase.Kill.IDLE_IN_TAIL.moment()).isEqualTo("tail-alone");
    assertThat(ElasticCase.Kill.TAIL_WRITER.moment()).isEqualTo("tail-done");
  }
}
