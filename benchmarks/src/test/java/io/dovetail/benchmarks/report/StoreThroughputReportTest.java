package io.dovetail.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.benchmarks.report.StoreThroughputReport.Conditions;
import io.dovetail.benchmarks.report.StoreThroughputReport.Direction;
import io.dovetail.benchmarks.report.StoreThroughputReport.Round;
import io.dovetail.benchmarks.report.StoreThroughputReport.Side;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreThroughputReportTest {
  static final long GIB = 1L << 30;
  static final long SECOND = 1_000_000_000L;

  static Conditions conditions(String only) {
    return new Conditions(GIB, 256 << 10, 64, 1 << 20, 4 << 20, 64L << 20, 2, 3, only,
        only.equals("store") ? "" : "epoll", 2, "17.0.15", "2026-11-23T21:30:00+01:00",
        "1.50 1.60 2.30", "2.00 1.70 2.30",
        only.equals("store") ? List.of("dovetail.transport.receivePoolBytes=0") : List.of());
  }

  /**
   * 1 GiB rounds. Raw push 1, 2, 1 GiB/s; raw read 2 GiB/s each; Dovetail push 0.5, 1.5, 1 GiB/s;
   * Dovetail read 1, 1.6, 0.5 GiB/s. Best ratios: push 0.75, read 0.80.
   */
  static StoreThroughputReport sample() {
    StoreThroughputReport r = new StoreThroughputReport();
    long[] rawPush = {SECOND, SECOND / 2, SECOND};
    long[] storePush = {2 * SECOND, SECOND * 2 / 3, SECOND};
    long[] storeRead = {SECOND, SECOND * 5 / 8, 2 * SECOND};
    for (int i = 0; i < 3; i++) {
      r.add(new Round(Side.RAW, Direction.PUSH, i + 1, GIB, rawPush[i], SECOND / 2));
      r.add(new Round(Side.RAW, Direction.READ, i + 1, GIB, SECOND / 2, SECOND / 4));
    }
    for (int i = 0; i < 3; i++) {
      r.add(new Round(Side.DOVETAIL, Direction.PUSH, i + 1, GIB, storePush[i], 2 * SECOND));
      r.add(new Round(Side.DOVETAIL, Direction.READ, i + 1, GIB, storeRead[i], SECOND * 3 / 2));
    }
    return r;
  }

  @Test
  void theBestRoundIsTheFastestAndTheFirstOfEquals() {
    StoreThroughputReport r = sample();
    assertThat(r.best(Side.RAW, Direction.PUSH).orElseThrow().round()).isEqualTo(2);
    assertThat(r.best(Side.RAW, Direction.READ).orElseThrow().round()).isEqualTo(1);
    assertThat(r.best(Side.DOVETAIL, Direction.READ).orElseThrow().rate())
        .isEqualTo(1.6 * GIB);
    assertThat(r.ratio(Direction.PUSH).orElseThrow()).isCloseTo(0.75, within());
    assertThat(r.ratio(Direction.READ).orElseThrow()).isCloseTo(0.80, within());
  }

  private static Offset<Double> within() {
    return Offset.offset(1e-9);
  }

  @Test
  void roundsPrintAsRateAndCpuCost() {
    Round round = new Round(Side.RAW, Direction.PUSH, 1, GIB, SECOND * 2 / 3, SECOND * 71 / 100);
    assertThat(round.text()).isEqualTo("1.5 GiB/s (0.71 cpu-s/GiB)");
  }

  @Test
  void theMarkdownHasTheConditionsEveryRoundTheBestAndTheRatios() {
    String md = sample().markdown(conditions(""));
    assertThat(md).startsWith("# Store throughput\n\n")
        .contains("* Started 2026-11-23T21:30:00+01:00; 2 cores; Java 17.0.15\n")
        .contains("* Load average (1, 5, 15 minutes): 1.50 1.60 2.30 at the start,"
            + " 2.00 1.70 2.30 at the end\n")
        .contains("* 1.0 GiB per round: pushed in 256.0 KiB batches over 64 partitions,"
            + " gathered into 1.0 MiB frames; read in 4.0 MiB chunks; 64.0 MiB in flight\n")
        .contains("* 3 timed rounds per side and direction after 2 untimed full-size warm-up"
            + " rounds; the best round counts\n")
        .contains("* Raw loopback transport: epoll\n")
        .doesNotContain("settings given on the command line")
        .contains("| Side | Direction | Round 1 | Round 2 | Round 3 | Best |\n"
            + "|---|---|--:|--:|--:|--:|\n")
        .contains("| raw Netty loopback | push | 1.0 GiB/s, 0.50 cpu-s/GiB"
            + " | 2.0 GiB/s, 0.50 cpu-s/GiB | 1.0 GiB/s, 0.50 cpu-s/GiB"
            + " | **2.0 GiB/s, 0.50 cpu-s/GiB** |\n")
        .contains("| Dovetail | read | 1.0 GiB/s, 1.50 cpu-s/GiB | 1.6 GiB/s, 1.50 cpu-s/GiB"
            + " | 512.0 MiB/s, 1.50 cpu-s/GiB | **1.6 GiB/s, 1.50 cpu-s/GiB** |\n")
        .contains("| Dovetail / raw loopback, best rounds | Ratio | Target | Met |\n"
            + "|---|--:|--:|---|\n"
            + "| push | 0.75 | >= 0.70 | yes |\n"
            + "| read | 0.80 | >= 0.80 | yes |\n");
  }

  @Test
  void oneSideAloneHasNoRatios() {
    StoreThroughputReport r = new StoreThroughputReport();
    r.add(new Round(Side.DOVETAIL, Direction.PUSH, 1, GIB, SECOND, SECOND));
    r.add(new Round(Side.DOVETAIL, Direction.READ, 1, GIB, SECOND, SECOND));
    String md = r.markdown(conditions("store"));
    assertThat(md).contains("* Dovetail only (-Ddovetail.bench.only=store)\n")
        .contains("* Dovetail settings given on the command line: "
            + "dovetail.transport.receivePoolBytes=0\n")
        .doesNotContain("raw Netty loopback |").doesNotContain("Transport")
        .contains("No ratios: they need both sides in one run.\n");
    assertThat(r.ratio(Direction.PUSH)).isEmpty();
  }

  @Test
  void theCsvHasOneLinePerSideAndRound() {
    List<String> lines = sample().csv().lines().toList();
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0)).isEqualTo("side,round,push_bytes,push_wall_ns,push_cpu_ns,"
        + "push_bytes_per_s,push_cpu_s_per_gib,push_best,read_bytes,read_wall_ns,read_cpu_ns,"
        + "read_bytes_per_s,read_cpu_s_per_gib,read_best");
    assertThat(lines.get(2)).isEqualTo("raw,2,1073741824,500000000,500000000,2147483648,0.500,"
        + "true,1073741824,500000000,250000000,2147483648,0.250,false");
    assertThat(lines.get(1)).endsWith(",true");
    assertThat(lines.get(5)).startsWith("dovetail,2,1073741824,666666666,2000000000,");
  }

  @Test
  void writesTheMarkdownCsvAndANonEmptyPng(@TempDir Path dir) throws Exception {
    List<Path> files = sample().write(dir.resolve("out"), conditions(""));
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("store-throughput.md", "store-throughput.csv", "store-throughput.png");
    assertThat(Files.readString(files.get(0))).contains("| push | 0.75 | >= 0.70 | yes |");
    assertThat(Files.readString(files.get(1))).startsWith("side,round,");
    assertThat(Files.size(files.get(2))).isPositive();
    BufferedImage png = ImageIO.read(files.get(2).toFile());
    assertThat(png.getWidth()).isEqualTo(2 * Reports.PANEL_WIDTH);
    assertThat(png.getHeight()).isEqualTo(Reports.TITLE_HEIGHT + Reports.PANEL_HEIGHT);
  }
}
