package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.cli.demo.TeraSortBench;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line of {@code bench terasort}, parsed without running anything. */
class TeraSortBenchCommandTest {

  static TeraSortBench.Settings parse(String... args) {
    TeraSortBenchCommand cmd = new TeraSortBenchCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.settings();
  }

  @Test
  void theDefaultsAreTwoSizesThreeRunsBothShuffles() {
    TeraSortBench.Settings s = parse();
    assertThat(s.sizes()).containsExactly(1L << 30, 2L << 30);
    assertThat(s.runs()).isEqualTo(3);
    assertThat(s.partitions()).isNull();
    assertThat(s.shuffles()).containsExactly("spark", "dovetail");
    assertThat(s.sparkConf()).isEmpty();
    assertThat(s.cluster().workDir()).isEqualTo(Path.of("dovetail-bench"));
    assertThat(s.cluster().portBase()).isEqualTo(19300);
  }

  @Test
  void everyOptionIsParsed() {
    TeraSortBench.Settings s = parse("--sizes", "512m, 4g", "--runs", "5", "--partitions", "8",
        "--shuffles", "dovetail", "--spark-conf", "spark.executor.extraJavaOptions=-Da=b -Dc=d",
        "--spark-conf", "spark.x=1", "--work-dir", "/tmp/b", "--port-base", "21000",
        "--executor-memory", "2g", "--replication", "2", "--seed", "9", "--keep");
    assertThat(s.sizes()).containsExactly(512L << 20, 4L << 30);
    assertThat(s.runs()).isEqualTo(5);
    assertThat(s.partitions()).isEqualTo(8);
    assertThat(s.shuffles()).containsExactly("dovetail");
    assertThat(s.sparkConf()).isEqualTo(Map.of("spark.executor.extraJavaOptions", "-Da=b -Dc=d",
        "spark.x", "1"));
    assertThat(s.cluster().workDir()).isEqualTo(Path.of("/tmp/b"));
    assertThat(s.cluster().portBase()).isEqualTo(21000);
    assertThat(s.cluster().executorMemory()).isEqualTo("2g");
    assertThat(s.cluster().replication()).isEqualTo(2);
    assertThat(s.cluster().seed()).isEqualTo(9);
    assertThat(s.cluster().keep()).isTrue();
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOption() {
    for (List<String> bad : List.of(List.of("--sizes", "2x", "'2x' is not a size"),
        List.of("--runs", "0", "--runs must be at least 1"),
        List.of("--shuffles", "spark,magnet", "unknown shuffle 'magnet'"),
        List.of("--spark-conf", "executor.memory=2g", "is not spark.<key>=<value>"),
        List.of("--replication", "3", "--replication must be 1 or 2"))) {
      CliRun r = CliRun.of("bench", "terasort", bad.get(0), bad.get(1));
      assertThat(r.status()).as(bad.toString()).isEqualTo(2);
      assertThat(r.err()).as(bad.toString()).contains(bad.get(2),
          "Usage: dovetail bench terasort");
    }
  }

  @Test
  void benchWithoutABenchmarkIsAUsageError() {
    CliRun r = CliRun.of("bench");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("Missing benchmark", "terasort");
  }

  /** The cheap end-to-end check: a busy port stops the benchmark before it starts anything. */
  @Test
  void aBusyPortIsRefusedBeforeAnythingStarts() throws Exception {
    Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bench");
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      long childrenBefore = ProcessHandle.current().children().count();
      CliRun r = CliRun.of("bench", "terasort", "--sizes", "1m", "--port-base",
          Integer.toString(held.getLocalPort()), "--work-dir", work.toString());
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).contains("port " + held.getLocalPort() + " on 127.0.0.1 (for the "
          + "Dovetail metadata server) is in use");
      assertThat(ProcessHandle.current().children().count()).isEqualTo(childrenBefore);
      try (var files = Files.list(work)) {
        assertThat(files).isEmpty();
      }
    } finally {
      Files.deleteIfExists(work);
    }
  }
}
