package io.dovetail.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TeraGen, TeraSort and TeraValidate at a tiny size on local[2] Spark; then real output files
 * are damaged and TeraValidate must notice.
 */
class TeraSortLocalTest {
  static final long RECORDS = 20_000;
  static JavaSparkContext sc;
  static Path base;
  static String input;
  static String sorted;

  Path dir;
  String output;

  /** Generates and sorts once; each test damages its own copy of the sorted output. */
  @BeforeAll
  static void sortTinyDataSet() {
    sc = new JavaSparkContext(TeraPipeline.defaults(new SparkConf().setMaster("local[2]")
        .setAppName("terasort-test").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")));
    base = TestDirs.create("terasort");
    input = base.resolve("in").toUri().toString();
    sorted = base.resolve("sorted").toUri().toString();
    List<PartitionSummary> gen = TeraGen.run(sc, RECORDS, 4, 11, input, Collector.DIRECT);
    assertThat(gen).extracting(PartitionSummary::records).containsExactly(5000L, 5000L, 5000L,
        5000L);
    List<PartitionSummary> out = TeraSort.run(sc, input, sorted, 3, Collector.DIRECT);
    assertThat(out).hasSize(3).allMatch(s -> s.firstUnsorted() < 0);
    // Sampled split points balance uniformly random keys well.
    assertThat(out).allMatch(s -> s.records() > RECORDS / 3 * 8 / 10);
  }

  @AfterAll
  static void stopSpark() {
    sc.close();
  }

  @BeforeEach
  void copySortedOutput() throws Exception {
    dir = TestDirs.create("terasort-case");
    Path copy = Files.createDirectories(dir.resolve("out"));
    try (var files = Files.list(Path.of(java.net.URI.create(sorted)))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    output = copy.toUri().toString();
  }

  @Test
  void theSortedOutputIsValidAndHoldsEveryInputRecord() throws Exception {
    Validation.Result r = TeraValidate.run(sc, input, output, Collector.DIRECT);
    assertThat(r.problems()).isEmpty();
    assertThat(r.outputRecords()).isEqualTo(RECORDS);
    assertThat(r.outputPartitions()).isEqualTo(3);
    assertThat(Files.size(part(0)) % TeraRecords.RECORD_SIZE).isZero();
    assertThat(RecordFiles.list(input)).hasSize(4);
  }

  @Test
  void twoRecordsSwappedInAFileAreCaught() throws Exception {
    byte[] data = Files.readAllBytes(part(1));
    byte[] first = Arrays.copyOfRange(data, 700, 800);
    System.arraycopy(data, 800, data, 700, 100);
    System.arraycopy(first, 0, data, 800, 100);
    Files.write(part(1), data);
    assertThat(problems()).singleElement().asString()
        .contains("output partition 1 is not sorted: record 8");
  }

  @Test
  void aFileCutShortIsCaught() throws Exception {
    byte[] data = Files.readAllBytes(part(2));
    Files.write(part(2), Arrays.copyOf(data, data.length - 150));
    assertThat(problems())
        .contains("output partition 2 ends with 50 bytes of an incomplete record")
        .anyMatch(p -> p.contains("records, input has " + RECORDS))
        .anyMatch(p -> p.startsWith("output checksum"));
  }

  @Test
  void aDuplicatedRecordIsCaught() throws Exception {
    byte[] data = Files.readAllBytes(part(0));
    Files.write(part(0), Arrays.copyOfRange(data, data.length - 100, data.length),
        StandardOpenOption.APPEND);
    assertThat(problems()).contains("output has " + (RECORDS + 1) + " records, input has "
        + RECORDS);
  }

  @Test
  void aChangedValueIsCaught() throws Exception {
    byte[] data = Files.readAllBytes(part(0));
    data[550] ^= 0x20;
    Files.write(part(0), data);
    assertThat(problems()).singleElement().asString().startsWith("output checksum");
  }

  @Test
  void aMissingOrMisplacedFileIsCaught() throws Exception {
    Files.move(part(1), dir.resolve("part1-moved"));
    Files.move(part(2), part(1));
    assertThat(problems()).contains("output should have 3 partition files, found 2")
        .anyMatch(p -> p.contains("input has " + RECORDS));
    Files.move(dir.resolve("part1-moved"), part(2));
    Files.delete(part(0));
    assertThat(problems()).contains("output partition 0 is missing (found partition 1 in its "
        + "place)");
  }

  @Test
  void anOutputWithoutItsCompletionMarkerIsCaught() throws Exception {
    Files.delete(Path.of(java.net.URI.create(output)).resolve(RecordFiles.MARKER));
    assertThat(problems()).singleElement().asString().contains("no _SUCCESS marker");
  }

  @Test
  void thePipelineReportsWallTimesAndShuffleMetrics() throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Properties report = new TeraPipeline(sc, new PrintStream(progress, true,
        StandardCharsets.UTF_8)).run(List.of("gen", "sort", "validate"), 10_000, 2, 5,
        dir.resolve("p-in").toUri().toString(), dir.resolve("p-out").toUri().toString());
    assertThat(report.getProperty("validate.valid")).isEqualTo("true");
    assertThat(report.getProperty("gen.records")).isEqualTo("10000");
    assertThat(report.getProperty("gen.shuffleBytesWritten")).isEqualTo("0");
    assertThat(report.getProperty("sort.shuffleRecordsWritten")).isEqualTo("10000");
    assertThat(report.getProperty("sort.shuffleRecordsRead")).isEqualTo("10000");
    long written = Long.parseLong(report.getProperty("sort.shuffleBytesWritten"));
    assertThat(written).isPositive();
    assertThat(report.getProperty("sort.shuffleBytesRead")).isEqualTo(Long.toString(written));
    assertThat(Long.parseLong(report.getProperty("sort.wallMs"))).isPositive();
    assertThat(report.getProperty("validate.records")).isEqualTo("10000");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("step: sort done in")
        .contains("valid: 10000 records in 2 sorted partitions");
    Path file = dir.resolve("report.properties");
    TeraPipeline.write(report, file);
    Properties read = new Properties();
    try (var in = Files.newInputStream(file)) {
      read.load(in);
    }
    assertThat(read).isEqualTo(report);
  }

  private Path part(int p) {
    return Path.of(java.net.URI.create(RecordFiles.partFile(output, p)));
  }

  private List<String> problems() {
    Validation.Result r = TeraValidate.run(sc, input, output, Collector.DIRECT);
    assertThat(r.ok()).isFalse();
    return r.problems();
  }
}
