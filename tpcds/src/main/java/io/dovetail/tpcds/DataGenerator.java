package io.dovetail.tpcds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Generates the 24 TPC-DS tables at a scale factor into Parquet, one directory per table under
 * {@code <data>/sf<scale>/}, and registers them as temporary views.
 *
 * <p>Rows come from the Java TPC-DS generator (io.trino.tpcds), chunk by chunk in Spark tasks (see
 * {@link Chunks}), converted to the column types of {@link TpcdsTables}. The generator writes a
 * null as a missing value, and an empty text where dsdgen leaves a field empty; both become SQL
 * NULL, as when dsdgen's flat files are loaded. Fractional scale factors work (0.01 gives 120 k
 * store_sales rows); the fixed-size dimensions (date_dim, time_dim, customer_demographics) keep
 * their size at every scale.
 *
 * <p>A finished data set has a marker file ({@value #MARKER}, with the row count of each table);
 * generation is skipped when it exists and starts over, deleting what is there, when it does not.
 *
 * <p>Not thread-safe: one generation at a time per directory.
 */
public final class DataGenerator {
  /** Written last: its presence means every table of the scale factor is complete. */
  public static final String MARKER = "_TPCDS_COMPLETE";

  private DataGenerator() {}

  /**
   * Generates a data set in a Spark session of its own (built-in shuffle). Arguments: {@code
   * dataDir scale master [rowsPerChunk]}; progress goes to standard output, Spark's logs to
   * standard error.
   */
  public static void main(String[] args) {
    Path data = Path.of(args[0]);
    double scale = Double.parseDouble(args[1]);
    long rowsPerChunk = args.length > 3 ? Long.parseLong(args[3]) : Chunks.DEFAULT_ROWS_PER_CHUNK;
    java.io.PrintStream progress = System.out;
    System.setOut(System.err);
    SparkSession spark = Sessions.create(Sessions.Shuffle.BUILT_IN, args[2], java.util.Map.of());
    try {
      generate(spark, data, scale, rowsPerChunk, line -> {
        progress.println(line);
        progress.flush();
      });
    } finally {
      spark.stop();
    }
  }

  /** Where the tables of {@code scale} live under {@code data}: {@code sf1}, {@code sf0.01}. */
  public static Path scaleDir(Path data, double scale) {
    String s = BigDecimal.valueOf(scale).stripTrailingZeros().toPlainString();
    return data.resolve("sf" + s);
  }

  /** Whether the tables of {@code scale} are complete under {@code data}. */
  public static boolean isComplete(Path data, double scale) {
    return Files.isRegularFile(scaleDir(data, scale).resolve(MARKER));
  }

  /**
   * Generates the tables of {@code scale} unless they are complete already; returns their
   * directory.
   */
  public static Path generate(SparkSession spark, Path data, double scale, long rowsPerChunk,
      Consumer<String> progress) {
    Path dir = scaleDir(data, scale);
    if (isComplete(data, scale)) {
      progress.accept("TPC-DS " + dir.getFileName() + " data already complete in " + dir);
      return dir;
    }
    deleteRecursively(dir);
    long start = System.nanoTime();
    StringBuilder marker = new StringBuilder("# TPC-DS data, io.trino.tpcds generator, scale factor "
        + scale + "\n");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    for (String table : TpcdsTables.names()) {
      long t0 = System.nanoTime();
      List<Chunks.Range> chunks = Chunks.of(table, scale, rowsPerChunk);
      StructType schema = TpcdsTables.schema(table);
      JavaRDD<Row> rows = jsc.parallelize(chunks, chunks.size())
          .mapPartitions(ranges -> convert(ranges, schema));
      String path = dir.resolve(table).toString();
      spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite).parquet(path);
      long count = spark.read().parquet(path).count();
      marker.append(table).append('=').append(count).append('\n');
      progress.accept(String.format(Locale.ROOT, "generated %-24s %,12d rows in %3d chunks %6.1f s",
          table, count, chunks.size(), (System.nanoTime() - t0) / 1e9));
    }
    try {
      Files.writeString(dir.resolve(MARKER), marker, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    progress.accept(String.format(Locale.ROOT, "TPC-DS %s generated in %.1f s into %s",
        dir.getFileName(), (System.nanoTime() - start) / 1e9, dir));
    return dir;
  }

  /** Registers every table of {@code dir} as a temporary view of its name. */
  public static void registerViews(SparkSession spark, Path dir) {
    if (!Files.isRegularFile(dir.resolve(MARKER))) {
      throw new IllegalStateException("no complete TPC-DS data set in " + dir);
    }
    for (String table : TpcdsTables.names()) {
      spark.read().parquet(dir.resolve(table).toString()).createOrReplaceTempView(table);
    }
  }

  private static Iterator<Row> convert(Iterator<Chunks.Range> ranges, StructType schema) {
    DataType[] types = new DataType[schema.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = schema.fields()[i].dataType();
    }
    return flatten(ranges, range -> {
      Iterator<List<String>> generated = Chunks.rows(range);
      return new Iterator<Row>() {
        @Override
        public boolean hasNext() {
          return generated.hasNext();
        }

        @Override
        public Row next() {
          List<String> values = generated.next();
          Object[] cells = new Object[types.length];
          for (int i = 0; i < types.length; i++) {
            cells[i] = value(values.get(i), types[i]);
          }
          return RowFactory.create(cells);
        }
      };
    });
  }

  /** One generator value as the Spark value of {@code type}; null and empty text are NULL. */
  static Object value(String text, DataType type) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (type == DataTypes.StringType) {
      return text;
    }
    if (type == DataTypes.IntegerType) {
      return Integer.valueOf(text);
    }
    if (type == DataTypes.DateType) {
      return LocalDate.parse(text);
    }
    if (type instanceof DecimalType d) {
      return new BigDecimal(text).setScale(d.scale());
    }
    throw new IllegalArgumentException("no conversion to " + type);
  }

  private static <A, B> Iterator<B> flatten(Iterator<A> outer,
      java.util.function.Function<A, Iterator<B>> inner) {
    return new Iterator<>() {
      private Iterator<B> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && outer.hasNext()) {
          current = inner.apply(outer.next());
        }
        return current.hasNext();
      }

      @Override
      public B next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
      for (Path p : all) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
