package io.dovetail.tpcds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ChunksTest {
  private static final double SCALE = 0.01;

  /** Chunks generated separately, end to end, are exactly the table generated in one pass. */
  @Test
  void chunksConcatenateToTheWholeTable() {
    for (String table : List.of("web_sales", "web_returns", "date_dim", "catalog_page",
        "inventory")) {
      List<Chunks.Range> one = Chunks.of(table, SCALE, Long.MAX_VALUE);
      List<Chunks.Range> many = Chunks.of(table, SCALE, 2_000);
      assertThat(one).as(table).hasSize(1);
      assertThat(many.size()).as(table).isGreaterThan(3);
      assertThat(rows(many)).as(table).isEqualTo(rows(one));
    }
  }

  /** A slowly changing dimension's row depends on the previous one: it is never split. */
  @Test
  void slowlyChangingDimensionsAreOneChunk() {
    for (String table : List.of("item", "store", "call_center", "web_page", "web_site")) {
      assertThat(Chunks.of(table, 1, 10)).as(table).hasSize(1);
    }
  }

  @Test
  void returnsComeFromTheirSalesTable() {
    List<List<String>> returns = rows(Chunks.of("web_returns", SCALE, Long.MAX_VALUE));
    assertThat(returns).isNotEmpty();
    assertThat(returns.get(0)).hasSize(TpcdsTables.schema("web_returns").size());
  }

  @Test
  void schemasAreSparksWithTheTypesTheQueriesNeed() {
    assertThat(TpcdsTables.names()).hasSize(24);
    StructType sales = TpcdsTables.schema("store_sales");
    assertThat(sales.apply("ss_sold_date_sk").dataType()).isEqualTo(DataTypes.IntegerType);
    assertThat(sales.apply("ss_net_profit").dataType()).isEqualTo(new DecimalType(7, 2));
    assertThat(TpcdsTables.schema("date_dim").apply("d_date").dataType())
        .isEqualTo(DataTypes.DateType);
    assertThat(TpcdsTables.schema("customer").apply("c_first_name").dataType())
        .isEqualTo(DataTypes.StringType);
    // Spelled differently by the generator; the queries use the specification's names.
    assertThat(TpcdsTables.schema("store").fieldNames()).contains("s_tax_percentage");
  }

  @Test
  void emptyTextIsNull() {
    assertThat(DataGenerator.value("", DataTypes.StringType)).isNull();
    assertThat(DataGenerator.value(null, DataTypes.IntegerType)).isNull();
    assertThat(DataGenerator.value("3.5", new DecimalType(7, 2)))
        .isEqualTo(new java.math.BigDecimal("3.50"));
  }

  private static List<List<String>> rows(List<Chunks.Range> ranges) {
    List<List<String>> rows = new ArrayList<>();
    for (Chunks.Range r : ranges) {
      Chunks.rows(r).forEachRemaining(rows::add);
    }
    return rows;
  }
}
