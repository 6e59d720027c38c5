package io.dovetail.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ComparisonTest {
  static final RunReport DOVETAIL = new RunReport("Dovetail", 24_000, 4_000, 1_100L << 20,
      1_100L << 20, 10_000_000, 10_000_000, 10_000_000, true, "");
  static final RunReport SPARK = new RunReport("Spark built-in", 20_000, 4_100, 1_050L << 20,
      1_050L << 20, 10_000_000, 10_000_000, 10_000_000, false, "output has 9 records");

  @Test
  void theTableHasOneColumnPerRunAndTheRatio() {
    String t = Comparison.table(List.of(DOVETAIL, SPARK));
    assertThat(t.lines().findFirst().orElseThrow())
        .containsSubsequence("Dovetail", "Spark built-in", "Dovetail / Spark built-in");
    assertThat(t).contains("24.0 s", "20.0 s", "1.20x", "1.1 GiB", "10,000,000");
    assertThat(t.lines().filter(l -> l.contains("Output valid")).findFirst().orElseThrow())
        .containsSubsequence("yes", "NO");
  }

  @Test
  void theChartIsAPng() throws Exception {
    Path png = TestDirs.create("chart").resolve("c.png");
    Comparison.chart(List.of(DOVETAIL, SPARK), "TeraSort of 1 GiB", png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(2 * Comparison.PANEL_WIDTH);
    assertThat(image.getHeight()).isEqualTo(Comparison.PANEL_HEIGHT + Comparison.TITLE_HEIGHT);
    // Not blank: the bars are drawn in the series colours.
    boolean found = false;
    for (int x = 0; x < image.getWidth() && !found; x += 2) {
      for (int y = 0; y < image.getHeight() && !found; y += 2) {
        found = (image.getRGB(x, y) & 0xFFFFFF)
            == (Comparison.SERIES_COLORS[0].getRGB() & 0xFFFFFF);
      }
    }
    assertThat(found).isTrue();
  }

  @Test
  void aReportFileIsRead() throws Exception {
    Path file = TestDirs.create("report").resolve("r.properties");
    Properties p = new Properties();
    p.setProperty("sort.wallMs", "1500");
    p.setProperty("validate.wallMs", "300");
    p.setProperty("sort.shuffleBytesWritten", "1000");
    p.setProperty("sort.shuffleBytesRead", "999");
    p.setProperty("sort.shuffleRecordsWritten", "10");
    p.setProperty("sort.shuffleRecordsRead", "10");
    p.setProperty("sort.records", "10");
    p.setProperty("validate.valid", "true");
    try (var out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    assertThat(RunReport.read("x", file)).isEqualTo(new RunReport("x", 1500, 300, 1000, 999, 10,
        10, 10, true, ""));
  }
}
