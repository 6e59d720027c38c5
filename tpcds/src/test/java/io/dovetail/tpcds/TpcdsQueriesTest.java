package io.dovetail.tpcds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TpcdsQueriesTest {
  @Test
  void allHundredAndThreeTextsLoad() {
    assertThat(TpcdsQueries.all()).hasSize(103).contains("q14a", "q14b", "q23a", "q23b", "q24a",
        "q24b", "q39a", "q39b").doesNotContain("q14", "q23", "q24", "q39");
    for (String q : TpcdsQueries.all()) {
      assertThat(TpcdsQueries.text(q)).as(q).containsIgnoringCase("select");
    }
  }

  @Test
  void selectsByWholeNameRegexes() {
    assertThat(TpcdsQueries.select("q1,q14.*")).containsExactly("q1", "q14a", "q14b");
    assertThat(TpcdsQueries.select("all")).hasSize(103);
    assertThat(TpcdsQueries.select("q9[0-9]")).hasSize(10);
    assertThatThrownBy(() -> TpcdsQueries.select("q100")).isInstanceOf(IllegalArgumentException.class);
  }
}
