package io.dovetail.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.testkit.TestDirs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ElasticReportTest {

  static ElasticResult result(ElasticCase c, int rep, long wallMs, long executorMs,
      int recomputedMaps, int resubmitted, String victim) {
    return new ElasticResult(c, rep, wallMs, executorMs, 4, 4, recomputedMaps, 0, resubmitted,
        0, 1000, 1000, "abc", 20_000, c.dovetail() ? "false" : "true", victim);
  }

  /** Two repetitions; Dovetail meets the executor-seconds target, not the killed wall time. */
  static List<ElasticResult> twoRepetitions() {
    List<ElasticResult> r = new ArrayList<>();
    r.add(result(ElasticCase.BUILTIN, 1, 60_000, 240_000, 0, 0, ""));
    r.add(result(ElasticCase.DOVETAIL, 1, 61_000, 120_000, 0, 0, ""));
    r.add(result(ElasticCase.BUILTIN_KILL, 1, 70_000, 260_000, 9, 2, "2"));
    r.add(result(ElasticCase.DOVETAIL_KILL, 1, 60_000, 110_000, 0, 0, "3"));
    r.add(result(ElasticCase.DOVETAIL, 2, 63_000, 130_000, 0, 0, ""));
    r.add(result(ElasticCase.BUILTIN, 2, 62_000, 250_000, 0, 0, ""));
    r.add(result(ElasticCase.DOVETAIL_KILL, 2, 62_000, 114_000, 0, 0, "1"));
    r.add(result(ElasticCase.BUILTIN_KILL, 2, 74_000, 270_000, 7, 1, "1"));
    return r;
  }

  @Test
  void mediansOfOddAndEvenCounts() {
    assertThat(ElasticReport.median(new long[] {5, 1, 3})).isEqualTo(3);
    assertThat(ElasticReport.median(new long[] {4, 1})).isEqualTo(3); // 2.5 rounds up
    assertThat(ElasticReport.median(new long[] {7})).isEqualTo(7);
    assertThatThrownBy(() -> ElasticReport.median(new long[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void summariesAreMediansPerCaseAndTheMostRecomputationSeen() {
    var s = ElasticReport.summarize(twoRepetitions());
    assertThat(s.keySet()).containsExactly(ElasticCase.BUILTIN, ElasticCase.DOVETAIL,
        ElasticCase.BUILTIN_KILL, ElasticCase.DOVETAIL_KILL);
    assertThat(s.get(ElasticCase.BUILTIN).executorMs()).isEqualTo(245_000);
    assertThat(s.get(ElasticCase.DOVETAIL).wallMs()).isEqualTo(62_000);
    assertThat(s.get(ElasticCase.BUILTIN_KILL).recomputedMapTasks()).isEqualTo(9);
    assertThat(s.get(ElasticCase.BUILTIN_KILL).resubmittedStages()).isEqualTo(2);
    assertThat(s.get(ElasticCase.BUILTIN_KILL).runs()).isEqualTo(2);
  }

  @Test
  void targetsAreRatiosOfMediansAgainstTheIssuesGoals() {
    var t = ElasticReport.targets(ElasticReport.summarize(twoRepetitions()));
    assertThat(t).hasSize(3);
    // 125 / 245 executor-seconds
    assertThat(t.get(0)).isEqualTo(new ElasticReport.Target(
        "executor-seconds, Dovetail / built-in", "0.51x", "<= 0.60x", true));
    assertThat(t.get(1).met()).isTrue();
    assertThat(t.get(1).measured()).isEqualTo("0");
    // 61 / 72 s of wall time: missed
    assertThat(t.get(2)).isEqualTo(new ElasticReport.Target(
        "wall time, executor killed, Dovetail / built-in", "0.85x", "<= 0.70x", false));
  }

  @Test
  void eachKillMomentHasItsOwnTargets() {
    List<ElasticResult> r = new ArrayList<>(twoRepetitions());
    r.add(result(ElasticCase.BUILTIN_KILL_WRITER, 1, 100_000, 300_000, 5, 2, "1"));
    r.add(result(ElasticCase.DOVETAIL_KILL_WRITER, 1, 65_000, 120_000, 0, 0, "2"));
    var t = ElasticReport.targets(ElasticReport.summarize(r));
    assertThat(t).hasSize(5);
    assertThat(t.get(3)).isEqualTo(new ElasticReport.Target(
        "recomputed map tasks, Dovetail, tail's executor killed", "0", "0", true));
    assertThat(t.get(4)).isEqualTo(new ElasticReport.Target(
        "wall time, tail's executor killed, Dovetail / built-in", "0.65x", "<= 0.70x", true));
    assertThat(ElasticReport.markdown("c", r)).contains(
        "| Spark built-in, tail's executor killed | 1 | 100.0 s | 300.0 s | 4 | 5 | 2 |");
  }

  @Test
  void onlyTheTargetsTheCasesRunAllowAreChecked() {
    var t = ElasticReport.targets(ElasticReport.summarize(List.of(
        result(ElasticCase.DOVETAIL_KILL, 1, 1_000, 1_000, 2, 1, "1"))));
    assertThat(t).singleElement().satisfies(x -> {
      assertThat(x.what()).contains("recomputed map tasks");
      assertThat(x.met()).isFalse();
    });
  }

  @Test
  void wrongOrDifferingResultsAndMissingKillsAreProblems() {
    assertThat(ElasticReport.problems(twoRepetitions())).isEmpty();
    List<ElasticResult> bad = new ArrayList<>(twoRepetitions());
    bad.set(1, new ElasticResult(ElasticCase.DOVETAIL, 1, 1, 1, 1, 1, 0, 0, 0, 0, 999, 1000,
        "abd", -1, "false", ""));
    bad.set(2, result(ElasticCase.BUILTIN_KILL, 1, 70_000, 260_000, 0, 0, ""));
    assertThat(ElasticReport.problems(bad)).hasSize(3).anySatisfy(p -> assertThat(p)
        .isEqualTo("dovetail #1: 999 records in the result, 1000 generated"))
        .anySatisfy(p -> assertThat(p).startsWith("the runs' results differ: builtin #1 abc, "
            + "dovetail #1 abd"))
        .anySatisfy(p -> assertThat(p).startsWith("builtin-kill #1: nothing was killed; the "
            + "case kills an idle executor"));
  }

  @Test
  void theMarkdownHasTheMediansTheTargetsAndEveryRun() {
    String md = ElasticReport.markdown("Conditions here.", twoRepetitions());
    assertThat(md).contains("Conditions here.",
        "| Spark built-in | 2 | 61.0 s | 245.0 s | 4 | 0 | 0 |",
        "| Dovetail, executor killed | 2 | 61.0 s | 112.0 s | 4 | 0 | 0 |",
        "| wall time, executor killed, Dovetail / built-in | 0.85x | <= 0.70x | **no** |",
        "| 2 | Spark built-in, executor killed | 74.0 s | 270.0 s | 4 | 7 / 0 | 1 | 0 | 20.0 s "
            + "| executor 1 | true | abc |",
        "All runs computed the same result");
    // One line per run in the last table.
    assertThat(md.lines().filter(l -> l.matches("^\\| [12] \\| .*"))).hasSize(8);
  }

  @Test
  void theCsvHasAHeaderAndOneRowPerRun() {
    List<String> lines = ElasticReport.csv(twoRepetitions()).lines().toList();
    assertThat(lines).hasSize(9);
    assertThat(lines.get(0)).isEqualTo(ElasticReport.CSV_HEADER);
    assertThat(lines.get(3)).isEqualTo(
        "1,builtin-kill,builtin,2,70.000,260.000,4,4,9,0,2,0,1000,abc,20.000,true");
    int columns = ElasticReport.CSV_HEADER.split(",").length;
    assertThat(lines).allSatisfy(l -> assertThat(l.split(",", -1)).hasSize(columns));
  }

  @Test
  void writeProducesTheThreeFilesAndAThreePanelChart() throws Exception {
    Path dir = TestDirs.create("elastic-report");
    List<String> notices = new ArrayList<>();
    String md = ElasticReport.write(dir, "c", "title", twoRepetitions(), notices::add);
    assertThat(notices).isEmpty();
    assertThat(Files.readString(dir.resolve("elastic.md"))).isEqualTo(md);
    assertThat(Files.readAllLines(dir.resolve("elastic.csv"))).hasSize(9);
    BufferedImage png = ImageIO.read(dir.resolve("elastic.png").toFile());
    assertThat(png.getWidth()).isEqualTo(3 * io.dovetail.cli.demo.ComparisonAccess.panelWidth());
  }

  @Test
  void aJobReportIsReadWithTheKillTheBenchmarkDid() throws Exception {
    Path file = TestDirs.create("elastic-result").resolve("r.properties");
    Properties p = new Properties();
    String[][] kv = {{"wallMs", "61000"}, {"executorMs", "120500"}, {"executors.added", "5"},
        {"executors.maxAlive", "4"}, {"recomputedMapTasks", "0"},
        {"recomputedResultTasks", "1"}, {"resubmittedStageAttempts", "0"}, {"failedTasks", "1"},
        {"records", "4000000"}, {"expectedRecords", "4000000"}, {"digest", "0123abcd"},
        {"tailAloneMs", "21000"}, {"conf.dynamicAllocation.shuffleTracking.enabled", "false"}};
    for (String[] e : kv) {
      p.setProperty(e[0], e[1]);
    }
    try (var out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    ElasticResult r = ElasticResult.read(ElasticCase.DOVETAIL_KILL, 2, file, "3");
    assertThat(r).isEqualTo(new ElasticResult(ElasticCase.DOVETAIL_KILL, 2, 61_000, 120_500, 5,
        4, 0, 1, 0, 1, 4_000_000, 4_000_000, "0123abcd", 21_000, "false", "3"));
    assertThat(r.killed()).isTrue();
    p.remove("digest");
    try (var out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    assertThatThrownBy(() -> ElasticResult.read(ElasticCase.DOVETAIL, 1, file, ""))
        .hasMessageContaining("no digest");
  }
}
