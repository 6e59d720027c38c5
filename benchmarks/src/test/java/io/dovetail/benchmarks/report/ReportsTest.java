package io.dovetail.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;

class ReportsTest {
  @Test
  void markdownTablesAlignNumbersRightAndEscapePipes() {
    String table = Reports.markdownTable(List.of("Name", ">Score"),
        List.of(List.of("a|b", "1.5"), List.of("two\nlines", "20")));
    assertThat(table).isEqualTo("""
        | Name | Score |
        |---|--:|
        | a\\|b | 1.5 |
        | two lines | 20 |
        """);
  }

  @Test
  void csvQuotesOnlyFieldsThatNeedIt() {
    String csv = Reports.csv(List.of("a", "b"),
        List.of(List.of("plain", "x,y"), List.of("say \"hi\"", "")));
    assertThat(csv).isEqualTo("a,b\nplain,\"x,y\"\n\"say \"\"hi\"\"\",\n");
  }

  @Test
  void theOutputDirectoryIsThePropertyOrTheDefault() {
    String before = System.getProperty(Reports.OUT_PROPERTY);
    try {
      System.clearProperty(Reports.OUT_PROPERTY);
      assertThat(Reports.outputDir("results/x")).isEqualTo(Path.of("results/x"));
      System.setProperty(Reports.OUT_PROPERTY, "/tmp/elsewhere");
      assertThat(Reports.outputDir("results/x")).isEqualTo(Path.of("/tmp/elsewhere"));
    } finally {
      if (before == null) {
        System.clearProperty(Reports.OUT_PROPERTY);
      } else {
        System.setProperty(Reports.OUT_PROPERTY, before);
      }
    }
  }

  @Test
  void theLoadAverageHasThreeFiguresOrIsUnknown() {
    assertThat(Reports.loadAverage()).matches("unknown|[0-9.]+ [0-9.]+ [0-9.]+");
  }

  @Test
  void panelsAreDrawnThreeToARowUnderTheTitle(@TempDir Path dir) throws Exception {
    List<CategoryChart> panels = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      CategoryChart c = Reports.barPanel("panel " + i, "x", "y");
      c.addSeries("s", List.of("a", "b"), List.of(1.0 + i, 2.0));
      panels.add(c);
    }
    Path png = dir.resolve("sub/chart.png");
    Reports.png(png, "Title", panels);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(3 * Reports.PANEL_WIDTH);
    assertThat(image.getHeight()).isEqualTo(Reports.TITLE_HEIGHT + 2 * Reports.PANEL_HEIGHT);
    assertThatThrownBy(() -> Reports.png(dir.resolve("none.png"), "Title", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.exists(dir.resolve("none.png"))).isFalse();
  }
}
