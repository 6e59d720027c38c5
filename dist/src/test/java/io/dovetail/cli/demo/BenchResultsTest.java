package io.dovetail.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class BenchResultsTest {
  static final long GIB = 1L << 30;

  static BenchResults.Run run(long size, String shuffle, int run, int position, long sortMs,
      long validateMs, boolean valid) {
    long serverCpu = shuffle.equals(BenchResults.CONTENDER) ? 12_300 : -1;
    RunReport report = new RunReport(shuffle, sortMs, validateMs, 1_000L << 20, 1_000L << 20,
        10_000_000, 10_000_000, 10_000_000, valid,
        valid ? "" : "partition 3 is not sorted, \"badly\"");
    return new BenchResults.Run(size, 16, run, position, 9_000, serverCpu, report);
  }

  /** 1 GiB: built-in 50, 40, 60 s (median 50); Dovetail 45, 55, 47.5 s (median 47.5). */
  static BenchResults sample() {
    BenchResults r = new BenchResults();
    r.add(run(GIB, BenchResults.BASELINE, 1, 1, 50_000, 4_000, true));
    r.add(run(GIB, BenchResults.CONTENDER, 1, 2, 45_000, 5_000, true));
    r.add(run(GIB, BenchResults.CONTENDER, 2, 3, 55_000, 6_000, true));
    r.add(run(GIB, BenchResults.BASELINE, 2, 4, 40_000, 3_000, true));
    r.add(run(GIB, BenchResults.BASELINE, 3, 5, 60_000, 5_000, true));
    r.add(run(GIB, BenchResults.CONTENDER, 3, 6, 47_500, 4_000, true));
    r.add(run(2 * GIB, BenchResults.BASELINE, 1, 1, 100_000, 8_000, true));
    r.add(run(2 * GIB, BenchResults.CONTENDER, 1, 2, 120_000, 9_000, false));
    return r;
  }

  @Test
  void theMedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(BenchResults.median(List.of(5L, 1L, 3L))).hasValue(3.0);
    assertThat(BenchResults.median(List.of(4L, 1L, 3L, 10L))).hasValue(3.5);
    assertThat(BenchResults.median(List.of(7L))).hasValue(7.0);
    assertThat(BenchResults.median(List.of())).isEmpty();
  }

  @Test
  void aRatioNeedsBothValuesAndAPositiveDenominator() {
    assertThat(BenchResults.ratio(OptionalDouble.of(3), OptionalDouble.of(2))).hasValue(1.5);
    assertThat(BenchResults.ratio(OptionalDouble.of(3), OptionalDouble.of(0))).isEmpty();
    assertThat(BenchResults.ratio(OptionalDouble.empty(), OptionalDouble.of(2))).isEmpty();
    assertThat(BenchResults.times(OptionalDouble.of(0.9512))).isEqualTo("0.95x");
    assertThat(BenchResults.times(OptionalDouble.empty())).isEqualTo("-");
  }

  @Test
  void mediansAndRatiosArePerSizeAndShuffle() {
    BenchResults r = sample();
    assertThat(r.sizes()).containsExactly(GIB, 2 * GIB);
    assertThat(r.median(GIB, BenchResults.BASELINE, RunReport::sortMillis)).hasValue(50_000);
    assertThat(r.median(GIB, BenchResults.CONTENDER, RunReport::sortMillis)).hasValue(47_500);
    assertThat(r.median(GIB, BenchResults.CONTENDER, RunReport::validateMillis))
        .hasValue(5_000);
    assertThat(r.sortRatio(GIB)).hasValue(0.95);
    assertThat(r.sortRatio(2 * GIB)).hasValue(1.2);
    assertThat(r.allValid()).isFalse();
  }

  @Test
  void theMarkdownHasTheMediansTheRatioAndEveryRun() {
    String md = sample().markdown("TeraSort", List.of("Date: 2026-11-23", "2 cores"));
    assertThat(md).startsWith("# TeraSort\n\n* Date: 2026-11-23\n* 2 cores\n");
    assertThat(md).contains("| 1.0 GiB | 16 | 3 + 3 | 9.0 s | 50.0 s | 47.5 s | **0.95x** "
        + "| 4.0 s | 5.0 s | 1.25x | all |");
    assertThat(md).contains("| 2.0 GiB | 16 | 1 + 1 | 9.0 s | 100.0 s | 120.0 s | **1.20x** "
        + "| 8.0 s | 9.0 s | 1.13x | NO |");
    assertThat(md).contains("| 1.0 GiB | 4 | Spark built-in | 2 | 40.0 s | 3.0 s | 1000 MiB "
        + "| 1000 MiB | 10,000,000 | - | yes |");
    assertThat(md).contains("| 1.0 GiB | 3 | Dovetail | 2 | 55.0 s | 6.0 s | 1000 MiB "
        + "| 1000 MiB | 10,000,000 | 12.3 s | yes |");
    // A problem text never breaks the table.
    assertThat(md).contains("| NO: partition 3 is not sorted, \"badly\" |");
    // One summary row and six run rows.
    assertThat(md.lines().filter(l -> l.startsWith("| 1.0 GiB | ")).count()).isEqualTo(7);
  }

  @Test
  void theCsvHasAHeaderAndOneQuotedLinePerRun() {
    List<String> lines = sample().csv().lines().toList();
    assertThat(lines).hasSize(9);
    assertThat(lines.get(0)).isEqualTo(BenchResults.CSV_HEADER);
    assertThat(lines.get(1)).isEqualTo("1073741824,16,10000000,Spark built-in,1,1,9000,50000,"
        + "4000,1048576000,1048576000,10000000,10000000,-1,true,");
    assertThat(lines.get(2)).contains(",10000000,10000000,12300,true,");
    assertThat(lines.get(8)).endsWith(",false,\"partition 3 is not sorted, \"\"badly\"\"\"");
    assertThat(BenchResults.CSV_HEADER.split(",")).hasSize(16);
    assertThat(lines.get(1).split(",", -1)).hasSize(16);
  }

  @Test
  void theChartIsAPngWithBothShufflesBars() throws Exception {
    Path png = TestDirs.create("bench-chart").resolve("results.png");
    sample().chart("TeraSort", png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(2 * Comparison.PANEL_WIDTH);
    boolean[] found = new boolean[2];
    for (int x = 0; x < image.getWidth(); x += 2) {
      for (int y = 0; y < image.getHeight(); y += 2) {
        for (int c = 0; c < 2; c++) {
          found[c] |= (image.getRGB(x, y) & 0xFFFFFF)
              == (Comparison.SERIES_COLORS[c].getRGB() & 0xFFFFFF);
        }
      }
    }
    assertThat(found).containsExactly(true, true);
  }
}
