package io.dovetail.tpcds;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class ResultRowsTest {
  @Test
  void doublesAgreeToNineSignificantDigits() {
    // Two merge orders of the same sum of squares differ in the last bits only.
    assertThat(ResultRows.cell(0.1 + 0.2)).isEqualTo(ResultRows.cell(0.3));
    assertThat(ResultRows.cell(1234.56789012345)).isEqualTo("1234.56789");
    assertThat(ResultRows.cell(1.0)).isEqualTo("1");
    assertThat(ResultRows.cell(Double.NaN)).isEqualTo("NaN");
  }

  @Test
  void decimalsAndNullsArePrintedExactly() {
    assertThat(ResultRows.cell(new BigDecimal("12.30"))).isEqualTo("12.30");
    assertThat(ResultRows.cell(null)).isEqualTo("NULL");
  }

  @Test
  void unorderedResultsCompareAsMultisets() {
    List<Row> a = List.of(RowFactory.create("x", 1), RowFactory.create("a", 2));
    List<Row> b = List.of(RowFactory.create("a", 2), RowFactory.create("x", 1));
    assertThat(ResultRows.lines(a, false)).isEqualTo(ResultRows.lines(b, false));
    assertThat(ResultRows.lines(a, true)).isNotEqualTo(ResultRows.lines(b, true));
  }

  @Test
  void differenceNamesTheRowsThatDiffer() {
    assertThat(ResultRows.difference(List.of("a|1"), List.of("a|1"))).isNull();
    assertThat(ResultRows.difference(List.of("a|1", "b|2"), List.of("a|1")))
        .isEqualTo("2 rows built-in, 1 rows Dovetail; row 2: built-in [b|2] Dovetail [(none)]");
  }
}
