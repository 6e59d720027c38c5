package io.dovetail.examples.elastic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The job at a tiny size on local[2]: the result Spark computes is the one computed without. */
class SkewedTailJobLocalTest {

  @Test
  void theJobComputesTheExpectedDigestAndReportsItsStages() throws Exception {
    SkewedWork work = new SkewedWork(30_000, 4, 6, 0.6, 1, 2, 32, 9);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Properties report;
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
        .setAppName("skewed-tail-test").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1"))) {
      report = SkewedTailJob.run(sc, work, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    }
    assertThat(report.getProperty("digest")).isEqualTo(SkewedWork.digest(work.expected()));
    assertThat(report.getProperty("records")).isEqualTo("30000");
    assertThat(report.getProperty("recomputedMapTasks")).isEqualTo("0");
    assertThat(report.getProperty("resubmittedStageAttempts")).isEqualTo("0");
    // Map stage, skewed stage (both shuffle map stages), then the final result stage.
    assertThat(report.stringPropertyNames()).filteredOn(k -> k.startsWith("stage.")).hasSize(3);
    assertThat(report.getProperty("stage.1")).isEqualTo("map 6 6 1");
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("skewed stage 1 submitted: 6 tasks", "skewed-tail job done");
    // The moment the skewed stage is done is announced once, naming the executor that ran the
    // skewed partition (in local mode the driver). Whether the tail is ever alone depends on
    // timing at this size, so that announcement is not checked here.
    String app = report.getProperty("app.id");
    List<String> tailDone = out.lines().filter(l -> l.startsWith(ElasticListener.TAIL_DONE
        + " app=" + app + " tail-executor=driver victim=")).toList();
    assertThat(tailDone).hasSize(1);
    // The report names the same victim as the announcement.
    String announced = tailDone.get(0).substring(tailDone.get(0).indexOf("victim=") + 7);
    assertThat(report.getProperty("tailDoneVictim"))
        .isEqualTo(announced.equals("none") ? "null" : announced);
  }
}
