package io.dovetail.tpcds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultOrderTest {
  @Test
  void appendsEveryColumnBeforeTheLimit() {
    ResultOrder.Query q = ResultOrder.complete("select a, b from t order by a limit 100", 2);
    assertThat(q.ordered()).isTrue();
    assertThat(q.sql()).isEqualTo("select a, b from t order by a, 1, 2\nlimit 100");
  }

  @Test
  void appendsAtTheEndOfCodeWhenThereIsNoLimit() {
    ResultOrder.Query q = ResultOrder.complete("select a from t\nORDER BY a desc nulls last;\n"
        + "-- end query 1\n", 1);
    assertThat(q.sql()).isEqualTo("select a from t\nORDER BY a desc nulls last, 1;\n"
        + "-- end query 1\n");
  }

  @Test
  void ignoresOrderByInsideParenthesesStringsAndComments() {
    String sql = "with x as (select a, rank() over (partition by b order by c) r from t "
        + "order by a limit 5)\n"
        + "select a, 'order by z' s -- order by y\n/* order by w */ from x limit 10";
    ResultOrder.Query q = ResultOrder.complete(sql, 2);
    assertThat(q.ordered()).isFalse();
    assertThat(q.sql()).isEqualTo(sql);
  }

  @Test
  void takesTheFinalOrderByOfASetOperation() {
    String sql = "select a from t union all select a from u ORDER BY 1 LIMIT 3";
    assertThat(ResultOrder.complete(sql, 1).sql())
        .isEqualTo("select a from t union all select a from u ORDER BY 1, 1\nLIMIT 3");
  }

  @Test
  void keywordsMustBeWholeWords() {
    String sql = "select border, bylimit from reorder_by where x_order = 1";
    assertThat(ResultOrder.finalOrderBy(sql)).isEqualTo(-1);
  }

  /** The 12 query texts without a final ORDER BY are compared as sets of rows. */
  @Test
  void everyQueryButTwelveHasAFinalOrderBy() {
    List<String> unordered = TpcdsQueries.all().stream()
        .filter(q -> ResultOrder.finalOrderBy(TpcdsQueries.text(q)) < 0).toList();
    assertThat(unordered).containsExactly("q9", "q13", "q23a", "q24a", "q24b", "q28", "q32",
        "q38", "q48", "q87", "q88", "q97");
    for (String q : TpcdsQueries.all()) {
      String text = TpcdsQueries.text(q);
      ResultOrder.Query rewritten = ResultOrder.complete(text, 3);
      assertThat(rewritten.sql().replace(", 1, 2, 3", "").replace("\n", "").replace(" ", ""))
          .as(q).isEqualTo(text.replace("\n", "").replace(" ", ""));
    }
  }
}
