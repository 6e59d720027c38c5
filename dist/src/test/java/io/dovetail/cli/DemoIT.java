package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.cli.demo.Ports;
import io.dovetail.testkit.TestDirs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The whole demo through bin/dovetail at a tiny size: table, chart, nothing left running. */
class DemoIT {

  @Test
  void theDemoComparesBothShufflesAndLeavesNothingRunning() throws Exception {
    Path dir = TestDirs.create("demo-it");
    Path work = dir.resolve("work");
    BinDovetail.Result r = BinDovetail.run(dir, "demo", Duration.ofMinutes(5), Map.of(), "demo",
        "--size", "16m", "--work-dir", work.toString(), "--port-base",
        Integer.toString(freePortBase()));
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Dovetail metadata server serving on",
        "Spark worker with 2 cores", "Dovetail: sort done in", "Spark built-in: valid:",
        "All processes stopped", "TeraSort wall time", "Shuffle bytes written",
        "Records sorted            167,772         167,772");
    assertThat(r.out().lines().filter(l -> l.contains("Output valid")).findFirst().orElseThrow())
        .containsSubsequence("yes", "yes");
    BufferedImage chart = ImageIO.read(work.resolve("comparison.png").toFile());
    assertThat(chart.getWidth()).isGreaterThan(500);
    assertThat(Files.readString(work.resolve("comparison.txt"))).contains("TeraSort wall time");
    assertThat(work.resolve("data")).doesNotExist();
    assertThat(work.resolve("store")).doesNotExist();
    assertThat(work.resolve("reports/dovetail.properties")).isRegularFile();
    assertThat(BinDovetail.running()).as("processes left running").isEmpty();
  }

  /** Five consecutive free ports, away from the defaults so a user's demo is undisturbed. */
  static int freePortBase() {
    Random random = new Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = 20_000 + random.nextInt(10_000);
      if (IntStream.range(0, 5).allMatch(i -> Ports.isFree("127.0.0.1", base + i))) {
        return base;
      }
    }
    throw new AssertionError("no five consecutive free ports");
  }
}
