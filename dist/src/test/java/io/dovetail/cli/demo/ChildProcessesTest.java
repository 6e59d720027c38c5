package io.dovetail.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.Await;
import io.dovetail.testkit.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ChildProcessesTest {
  final Path dir = TestDirs.create("children");

  @Test
  void stopAllEndsChildrenTheirDescendantsAndThoseIgnoringSigterm() {
    List<ProcessHandle> seen;
    try (ChildProcesses children = new ChildProcesses(Duration.ofSeconds(5), notice -> { })) {
      ChildProcesses.Child polite = children.start("polite",
          List.of("bash", "-c", "sleep 300 & sleep 300 & wait"), Map.of(), dir.resolve("a.log"),
          null);
      ChildProcesses.Child stubborn = children.start("stubborn",
          List.of("bash", "-c", "trap '' TERM; sleep 300 & wait; sleep 300"), Map.of(),
          dir.resolve("b.log"), null);
      Await.until(Duration.ofSeconds(10), "grandchildren started",
          () -> polite.process().descendants().count() == 2
              && stubborn.process().descendants().count() == 1);
      seen = new java.util.ArrayList<>(polite.process().descendants().toList());
      seen.addAll(stubborn.process().descendants().toList());
      seen.add(polite.process().toHandle());
      seen.add(stubborn.process().toHandle());
      assertThat(children.running()).hasSize(2);
      ChildProcesses.Stopped stopped = children.stopAll();
      assertThat(stopped.killed()).containsExactly("stubborn");
      assertThat(stopped.survivors()).isEmpty();
      assertThat(children.closing()).isTrue();
    }
    assertThat(seen).hasSize(5).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void outputLinesAreRelayedAndLogged() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (ChildProcesses children = new ChildProcesses()) {
      ChildProcesses.Child c = children.start("talker",
          List.of("bash", "-c", "echo one; echo two; echo oops >&2; echo \"$DEMO_VAR\""),
          Map.of("DEMO_VAR", "three"), dir.resolve("talker.log"), lines::add);
      assertThat(c.process().waitFor()).isZero();
      Await.until(Duration.ofSeconds(30), "relayed", () -> lines.size() == 3);
      assertThat(lines).containsExactly("one", "two", "three");
      Await.until(Duration.ofSeconds(30), "logged", () -> c.logTail(10).contains("three"));
      assertThat(c.logTail(10)).contains("one", "two", "oops", "three");
    }
  }

  @Test
  void anErrorSummaryPicksExceptionsAndErrorLines() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("err.log"), String.join("\n",
        "12:00:00 INFO starting", "12:00:01 ERROR Executor: task failed",
        "Exception in thread \"main\" java.lang.IllegalStateException: broken",
        "\tat some.Frame(Frame.java:1)", "Caused by: java.io.IOException: disk",
        "\tat other.Frame(Frame.java:2)", "12:00:02 INFO stopped"));
    ChildProcesses.Child c = new ChildProcesses.Child("x", null, dir.resolve("err.log"));
    assertThat(c.errorSummary(10)).isEqualTo(String.join("\n",
        "12:00:01 ERROR Executor: task failed",
        "Exception in thread \"main\" java.lang.IllegalStateException: broken",
        "Caused by: java.io.IOException: disk"));
    java.nio.file.Files.writeString(dir.resolve("ok.log"), "one\ntwo\nthree\n");
    assertThat(new ChildProcesses.Child("y", null, dir.resolve("ok.log")).errorSummary(2))
        .isEqualTo("two\nthree");
  }

  @Test
  void nothingStartsOnceStopping() {
    ChildProcesses children = new ChildProcesses();
    children.stopAll();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> children.start("late",
        List.of("true"), Map.of(), dir.resolve("late.log"), null))
        .isInstanceOf(IllegalStateException.class);
  }
}
