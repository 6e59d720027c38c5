package io.dovetail.tpcds;

import io.trino.tpcds.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.TPCDSSchema;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.VarcharType;
import scala.collection.immutable.Seq;

/**
 * The 24 TPC-DS tables: Spark schemas as Spark's own TPC-DS suites define them (the
 * {@code TPCDSSchema} of the spark-sql tests jar: INT keys, DECIMAL(p,s) amounts, DATE dates), each
 * paired with the generator's table whose columns it must match position for position (by name,
 * but for three columns the generator spells differently).
 *
 * <p>CHAR(n) and VARCHAR(n) columns are stored as STRING: the data is read back through
 * {@code spark.read().parquet}, not a catalog table, so there is no length to enforce or pad to. The
 * generator never emits trailing blanks, so the query results do not change.
 *
 * <p>Thread-safe: immutable after class initialisation.
 */
public final class TpcdsTables {
  /**
   * Generator column names that differ from the TPC-DS specification's, which Spark's schema and
   * the queries use: the generator's name first.
   */
  private static final Map<String, String> GENERATOR_SPELLINGS = Map.of(
      "c_last_review_date_sk", "c_last_review_date",
      "p_response_targe", "p_response_target",
      "s_tax_precentage", "s_tax_percentage");

  private static final Map<String, StructType> SCHEMAS = load();

  private TpcdsTables() {}

  /** Table names in generation order, largest fact tables first. */
  public static List<String> names() {
    List<String> names = new ArrayList<>(SCHEMAS.keySet());
    names.sort((a, b) -> Long.compare(weight(b), weight(a)));
    return names;
  }

  /** The Spark schema of {@code table}, with CHAR/VARCHAR as STRING. */
  public static StructType schema(String table) {
    StructType schema = SCHEMAS.get(table);
    if (schema == null) {
      throw new IllegalArgumentException("not a TPC-DS table: " + table);
    }
    return schema;
  }

  /** The generator's table of the same name. */
  public static Table generatorTable(String table) {
    return Table.getTable(table);
  }

  private static long weight(String table) {
    return generatorTable(table).isChild()
        ? new io.trino.tpcds.Scaling(1).getRowCount(generatorTable(table).getParent())
        : new io.trino.tpcds.Scaling(1).getRowCount(generatorTable(table));
  }

  private static Map<String, StructType> load() {
    Map<String, StructType> schemas = new LinkedHashMap<>();
    scala.collection.Iterator<scala.Tuple2<String, String>> it =
        new SparkSchema().tableColumns().iterator();
    while (it.hasNext()) {
      scala.Tuple2<String, String> entry = it.next();
      StructType ddl = StructType.fromDDL(entry._2());
      List<StructField> fields = new ArrayList<>();
      for (StructField f : ddl.fields()) {
        fields.add(DataTypes.createStructField(f.name(), storedType(f.dataType()), true));
      }
      StructType schema = DataTypes.createStructType(fields);
      checkMatchesGenerator(entry._1(), schema);
      schemas.put(entry._1(), schema);
    }
    if (schemas.size() != 24) {
      throw new IllegalStateException("expected the 24 TPC-DS tables, found " + schemas.keySet());
    }
    return schemas;
  }

  private static DataType storedType(DataType type) {
    return type instanceof CharType || type instanceof VarcharType ? DataTypes.StringType : type;
  }

  private static void checkMatchesGenerator(String name, StructType schema) {
    io.trino.tpcds.column.Column[] columns = generatorTable(name).getColumns();
    String[] fields = schema.fieldNames();
    if (columns.length != fields.length) {
      throw new IllegalStateException(name + ": the generator has " + columns.length
          + " columns, the Spark schema " + fields.length);
    }
    for (int i = 0; i < fields.length; i++) {
      String generated = columns[i].getName().toLowerCase(java.util.Locale.ROOT);
      if (!GENERATOR_SPELLINGS.getOrDefault(generated, generated).equalsIgnoreCase(fields[i])) {
        throw new IllegalStateException(name + " column " + i + ": the generator has "
            + columns[i].getName() + ", the Spark schema " + fields[i]);
      }
    }
  }

  /** Spark's trait, implemented here only to read its two maps. */
  private static final class SparkSchema implements TPCDSSchema {
    private scala.collection.immutable.Map<String, String> tableColumns;
    private scala.collection.immutable.Map<String, Seq<String>> partitionColumns;

    SparkSchema() {
      TPCDSSchema.$init$(this);
    }

    @Override
    public void org$apache$spark$sql$TPCDSSchema$_setter_$tableColumns_$eq(
        scala.collection.immutable.Map<String, String> value) {
      tableColumns = value;
    }

    @Override
    public void org$apache$spark$sql$TPCDSSchema$_setter_$tablePartitionColumns_$eq(
        scala.collection.immutable.Map<String, Seq<String>> value) {
      partitionColumns = value;
    }

    @Override
    public scala.collection.immutable.Map<String, String> tableColumns() {
      return tableColumns;
    }

    @Override
    public scala.collection.immutable.Map<String, Seq<String>> tablePartitionColumns() {
      return partitionColumns;
    }
  }
}
