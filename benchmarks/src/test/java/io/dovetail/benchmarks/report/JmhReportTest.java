package io.dovetail.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.benchmarks.report.JmhReport.Conditions;
import io.dovetail.benchmarks.report.JmhReport.Results;
import io.dovetail.benchmarks.report.JmhReport.Score;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhReportTest {
  static final Conditions CONDITIONS =
      new Conditions("2026-11-23T21:30:00+01:00", 2, "1.50 1.60 2.30", "2.00 1.70 2.30");

  /** Hand-written in JMH's format: three benchmark classes, a secondary metric, a NaN error. */
  static Results sample() throws Exception {
    try (InputStream in = JmhReportTest.class.getResourceAsStream("/jmh-sample.json")) {
      return JmhReport.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void readsEveryPrimaryAndSecondaryMetricInJmhsOrder() throws Exception {
    Results r = sample();
    assertThat(r.jmhVersion()).isEqualTo("1.37");
    assertThat(r.vm()).isEqualTo("OpenJDK 64-Bit Server VM 17.0.15+6");
    assertThat(r.scores()).extracting(Score::name).containsExactly(
        "FrameCodecBenchmark.decode", "FrameCodecBenchmark.decode", "FrameCodecBenchmark.encode",
        "WritePathBenchmark.writeMapTask", "WritePathBenchmark.writeMapTask:recordBytes",
        "ReadPathBenchmark.readShuffle");
    Score decode = r.scores().get(0);
    assertThat(decode.params()).containsExactly(Map.entry("batchBytes", "4096"),
        Map.entry("batches", "4"));
    assertThat(decode.score()).isEqualTo(986969.25);
    assertThat(decode.error()).isEqualTo(3629579.5);
    assertThat(decode.unit()).isEqualTo("ops/s");
    assertThat(decode.run()).isEqualTo(new JmhReport.Run(1, 1, 2, "2 s", 3, "3 s"));
    Score bytes = r.scores().get(4);
    assertThat(bytes.metric()).isEqualTo("recordBytes");
    assertThat(bytes.params()).containsExactly(Map.entry("partitions", "200"));
    Score read = r.scores().get(5);
    assertThat(read.params()).isEmpty();
    assertThat(read.mode()).isEqualTo("avgt");
    assertThat(read.error()).isNaN();
  }

  @Test
  void scoresShowThreeSignificantDigitsAndErrorsTheSameDecimals() {
    assertThat(JmhReport.number(986969.25, JmhReport.decimals(986969.25))).isEqualTo("986,969");
    assertThat(JmhReport.number(9.125, JmhReport.decimals(9.125))).isEqualTo("9.13");
    assertThat(JmhReport.number(56.78, JmhReport.decimals(56.78))).isEqualTo("56.8");
    assertThat(JmhReport.number(0.000123456, JmhReport.decimals(0.000123456)))
        .isEqualTo("0.000123");
    assertThat(JmhReport.decimals(0)).isEqualTo(3);
  }

  @Test
  void theMarkdownHasTheConditionsAndALinePerScore() throws Exception {
    String md = JmhReport.markdown(sample(), CONDITIONS);
    assertThat(md).startsWith("# JMH microbenchmarks\n\n")
        .contains("* Reported 2026-11-23T21:30:00+01:00; 2 cores\n")
        .contains("* Load average (1, 5, 15 minutes): 1.50 1.60 2.30 at the start,"
            + " 2.00 1.70 2.30 at the end\n")
        .contains("* JMH 1.37, OpenJDK 64-Bit Server VM 17.0.15+6\n")
        .contains("* FrameCodecBenchmark: 1 fork, 1 thread, warm-up 2 x 2 s,"
            + " measurement 3 x 3 s\n")
        .contains("* ReadPathBenchmark: 1 fork, 1 thread, warm-up 1 x 3 s, measurement 1 x 3 s\n")
        .contains("* Error: half the width of the 99.9 % confidence interval; - where JMH gives"
            + " none (too few iterations)\n")
        .contains("| Benchmark | Params | Mode | Score | Error | Unit |\n"
            + "|---|---|---|--:|--:|---|\n"
            + "| FrameCodecBenchmark.decode | batchBytes=4096, batches=4 | thrpt | 986,969"
            + " | ± 3,629,580 | ops/s |\n")
        .contains("| WritePathBenchmark.writeMapTask | partitions=200 | thrpt | 9.13 | ± 1.50"
            + " | ops/s |\n")
        .contains("| WritePathBenchmark.writeMapTask:recordBytes | partitions=200 | thrpt"
            + " | 91,250,000 | ± 15,000,000 | ops/s |\n")
        .endsWith("| ReadPathBenchmark.readShuffle | - | avgt | 0.286 | - | s/op |\n");
  }

  @Test
  void theCsvHasALinePerScoreAndAColumnPerParameter() throws Exception {
    List<String> lines = JmhReport.csv(sample()).lines().toList();
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0)).isEqualTo("benchmark,metric,mode,param_batchBytes,param_batches,"
        + "param_partitions,score,score_error,unit,forks,threads,warmup_iterations,warmup_time,"
        + "measurement_iterations,measurement_time");
    assertThat(lines.get(1)).isEqualTo("io.dovetail.benchmarks.jmh.FrameCodecBenchmark.decode,,"
        + "thrpt,4096,4,,986969.25,3629579.5,ops/s,1,1,2,2 s,3,3 s");
    assertThat(lines.get(5)).isEqualTo("io.dovetail.benchmarks.jmh.WritePathBenchmark"
        + ".writeMapTask,recordBytes,thrpt,,,200,91250000,15000000,ops/s,1,1,2,3 s,3,3 s");
    assertThat(lines.get(6)).isEqualTo("io.dovetail.benchmarks.jmh.ReadPathBenchmark"
        + ".readShuffle,,avgt,,,,0.28571,NaN,s/op,1,1,1,3 s,1,3 s");
  }

  @Test
  void writesTheMarkdownCsvAndANonEmptyPng(@TempDir Path dir) throws Exception {
    List<Path> files = JmhReport.write(sample(), CONDITIONS, dir.resolve("jmh"));
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("jmh.md", "jmh.csv", "jmh.png");
    assertThat(Files.readString(files.get(0))).contains("FrameCodecBenchmark.encode");
    assertThat(Files.readString(files.get(1))).startsWith("benchmark,metric,mode,");
    assertThat(Files.size(files.get(2))).isPositive();
    // Four panels: FrameCodec, WritePath and its recordBytes, ReadPath; three to a row.
    BufferedImage png = ImageIO.read(files.get(2).toFile());
    assertThat(png.getWidth()).isEqualTo(3 * Reports.PANEL_WIDTH);
    assertThat(png.getHeight()).isEqualTo(Reports.TITLE_HEIGHT + 2 * Reports.PANEL_HEIGHT);
  }
}
