package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.cli.bench.ElasticCase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code dovetail bench elastic}'s command line; the benchmark itself runs by hand. */
class ElasticCommandTest {

  static ElasticCommand parse(String... args) {
    ElasticCommand c = new ElasticCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void defaultsRunAllSixCasesOnceAtTheDocumentedSize() {
    var s = parse().settings();
    assertThat(s.cases()).containsExactly(ElasticCase.BUILTIN, ElasticCase.DOVETAIL,
        ElasticCase.BUILTIN_KILL, ElasticCase.DOVETAIL_KILL, ElasticCase.BUILTIN_KILL_WRITER,
        ElasticCase.DOVETAIL_KILL_WRITER);
    assertThat(s.repetitions()).isEqualTo(1);
    assertThat(s.maxExecutors()).isEqualTo(4);
    assertThat(s.idleTimeout()).isEqualTo("5s");
    assertThat(s.workDir()).isEqualTo(Path.of("dovetail-bench-elastic"));
    assertThat(s.job().records()).isEqualTo(4_000_000);
    assertThat(s.job().skew()).isEqualTo(0.8);
    assertThat(s.cluster().masterPort()).isEqualTo(19323);
  }

  @Test
  void casesAndSizesAreChosen() {
    var s = parse("--cases", "dovetail-kill,builtin-kill", "--repetitions", "2", "--records",
        "1000", "--max-executors", "3", "--idle-timeout", "2s").settings();
    assertThat(s.cases()).containsExactly(ElasticCase.DOVETAIL_KILL, ElasticCase.BUILTIN_KILL);
    assertThat(s.repetitions()).isEqualTo(2);
    assertThat(s.job().records()).isEqualTo(1000);
    assertThat(s.maxExecutors()).isEqualTo(3);
  }

  @Test
  void badValuesAreUsageErrorsThatStartNothing() {
    long children = ProcessHandle.current().children().count();
    CliRun r = CliRun.of("bench", "elastic", "--cases", "builtin,spark");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("no case 'spark'", "Usage: dovetail bench elastic");
    assertThat(CliRun.of("bench", "elastic", "--cases", "builtin,builtin").err())
        .contains("--cases names builtin twice");
    assertThat(CliRun.of("bench", "elastic", "--max-executors", "1").err())
        .contains("--max-executors must be between 2 and 16");
    assertThat(CliRun.of("bench", "elastic", "--skew", "1").err())
        .contains("--skew must be in [0, 1)");
    assertThat(CliRun.of("bench", "elastic", "--idle-timeout", "soon").err())
        .contains("--idle-timeout: 'soon' is not a duration");
    assertThat(CliRun.of("bench", "elastic", "--executor-memory", "100m").err())
        .contains("--executor-memory must be at least 512m");
    assertThat(CliRun.of("bench").err()).contains("Missing benchmark");
    assertThat(ProcessHandle.current().children().count()).isEqualTo(children);
  }

  @Test
  void helpListsTheBenchmark() {
    assertThat(CliRun.of("bench", "--help").out()).contains("elastic");
    assertThat(CliRun.of("bench", "elastic", "--help").out()).contains("--repetitions",
        "--cases", "--max-executors", "--idle-timeout", "elastic.md, elastic.csv and "
            + "elastic.png");
  }
}
